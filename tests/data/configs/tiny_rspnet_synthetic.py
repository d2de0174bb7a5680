# The demo pretraining config (configs/rspnet_litec3d_synthetic.py) shrunk
# for engine tests: a two-layer LiteC3D, 4-frame views at speeds 1x/2x,
# 16 px crops, a queue of 16 keys, batch 4, 8 iterations with a checkpoint
# every 2 (keeping the last), RNG states in the checkpoints instead of the
# time budget, one process without workers, seed 0. The demo's
# representation monitor is off (the engine tests give only a train set);
# tests/evaluation/test_representation_monitor_loop.py switches it on.
# The test fills in the data paths (a tiny synthetic set).
_base_ = ['../../../configs/rspnet_litec3d_synthetic.py']

model = dict(
    backbone=dict(channels=(8, 16), strides=((1, 2, 2), (2, 2, 2))),
    rsp_head=dict(in_channels=16, hidden_channels=16),
    avid_head=dict(in_channels=16, hidden_channels=16),
    queue_len=16)

train_pipeline = [
    dict(type='RelativeSpeedSampler', clip_len=4, speeds=(1, 2)),
    dict(type='PerWindowAugment', size=16),
    dict(type='FormatSpeedViews'),
    dict(type='PackActionInputs', algorithm_keys=('speeds', )),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(ann_file='', data_prefix=dict(video=''),
                 pipeline=train_pipeline, min_samples=4))

train_cfg = dict(max_iters=8)
val_cfg = None
val_dataloader = None
val_evaluator = None
custom_hooks = [dict(type='RNGStateHook')]  # instead of the time budget
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(interval=2, max_keep_ckpts=1, save_best=None))
randomness = dict(seed=0)
