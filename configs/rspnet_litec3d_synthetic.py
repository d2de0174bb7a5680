# RSPNet on the generated synthetic motion set with a light 3D CNN: the
# pretraining of `make demo`, sized to train in minutes on a 2-core CPU.
# Differences from the reference recipe, all because of that budget:
# 32 px inputs; LiteC3D (0.4 M parameters) whose stem standardises each
# clip (undoing the per-window brightness/contrast jitter) and adds frame
# differences (with clip_norm=False rsp_acc stayed at 0.5 and loss_rsp at
# the margin for 430 iterations; with it rsp_acc reached 0.80 in 390);
# MLP+BN projection heads (with linear heads a small model's RSP loss sits
# at the margin from initialisation), a queue of 2048 keys, key momentum
# 0.99 (0.999 would leave the key encoder near its initialisation for a
# whole thousand-iteration run), iteration-based training stopped by a
# wall-clock budget, constant lr after a short warm-up.
# The representation monitor (_base_/pretrain_monitor.py) scores the query
# backbone on the 200 synthetic val videos every 100 iterations and at the
# end (kNN top-1 and retrieval R@1/R@5 on the primary label, one centred
# 16-frame clip per video); the demo's figure plots its curve.
# tools/demo.py sets the data paths and the time budget; by hand:
#   python tools/data/generate_synthetic_motion.py --out data/synthetic_motion
#   python tools/train.py configs/rspnet_litec3d_synthetic.py
_base_ = ['_base_/models/rspnet.py', '_base_/pretrain_monitor.py']

data_root = 'data/synthetic_motion/videos'
ann_file_train = 'data/synthetic_motion/train_list.txt'
ann_file_val = 'data/synthetic_motion/val_list.txt'
img_size = 32

model = dict(
    backbone=dict(type='LiteC3D', channels=(16, 32, 64, 64, 128),
                  frame_diff=True, clip_norm=True),
    rsp_head=dict(in_channels=128, proj_type='mlp', hidden_channels=128),
    avid_head=dict(in_channels=128, proj_type='mlp', hidden_channels=128),
    queue_len=2048,
    key_momentum=0.99,
    # No split-BN here: with 32 clips a step, sub-batches of 8 gave worse
    # features on every evaluation of the demo (docs/pretraining.md, the
    # ablation; MoCo's single-GPU recipe splits 256 into 8 x 32).
    bn_splits=1)

train_pipeline = [
    dict(type='RelativeSpeedSampler', clip_len=16, speeds=(1, 2)),
    dict(type='PerWindowAugment', size=img_size),
    dict(type='FormatSpeedViews'),
    dict(type='PackActionInputs', algorithm_keys=('speeds', )),
]
# Decoding in the main process: on 2 cores, DataLoader workers compete with
# the two compute threads (0.457 s an iteration with 2 workers, 0.386 s with
# none: tools/benchmark/demo_workers.py; 1119 vs 1459 iterations in whole
# demos, docs/demo.md). A resumed run then also draws the same augmentations
# (docs/long_runs.md). With more cores, set num_workers=2 and
# persistent_workers=True.
train_dataloader = dict(
    batch_size=32,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='ResumableInfiniteSampler', shuffle=True),
    # VideoDataset that checks the list and skips broken videos (it stops
    # once more than max_broken_fraction of the loads fail)
    dataset=dict(type='SkipBrokenVideoDataset', ann_file=ann_file_train,
                 data_prefix=dict(video=data_root),
                 pipeline=train_pipeline))

monitor_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', clip_len=16, frame_interval=1, num_clips=1,
         test_mode=True),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(img_size, img_size), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
val_dataloader = dict(
    batch_size=50,
    num_workers=2,
    dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root),
                 pipeline=monitor_pipeline))

train_cfg = dict(type='ResumableIterBasedTrainLoop', max_iters=20000,
                 val_interval=100)
test_cfg = None
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=20)
]
custom_hooks = [
    dict(type='TimeBudgetHook', seconds=480),
    dict(type='RNGStateHook')
]

env_cfg = dict(dist_cfg=dict(backend='gloo'))
log_processor = dict(by_epoch=False, window_size=10)  # acc smoothed: see _base_
default_hooks = dict(
    logger=dict(interval=10, log_metric_by_epoch=False),  # monitor by iter
    checkpoint=dict(by_epoch=False, interval=500, max_keep_ckpts=1,
                    save_last=True, save_best='knn_top1', rule='greater'))
randomness = dict(seed=0)
