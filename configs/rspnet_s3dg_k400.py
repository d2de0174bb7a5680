# RSPNet with the S3DG backbone on Kinetics-400: lr 0.05 per total batch of 64
# (auto_scale_lr), 64 clips per GPU, 16x224 input, 200 epochs
# (rspnet-reference.md §4; the reference used 4 V100s for 166 hours).
_base_ = [
    '_base_/models/rspnet.py', '_base_/datasets/k400_rsp_pretrain.py',
    '_base_/schedules/sgd_cosine_200e.py', '_base_/pretrain_runtime.py'
    # with the representation monitor (kNN / retrieval on UCF101 split 1,
    # docs/pretraining.md), use '_base_/pretrain_monitor.py' in its place
]
model = dict(backbone=dict(type='S3DG'), rsp_head=dict(in_channels=1024),
             avid_head=dict(in_channels=1024))
optim_wrapper = dict(optimizer=dict(lr=0.05))

# S3D-G sees 224 px clips.
train_pipeline = [
    dict(type='RelativeSpeedSampler', clip_len=16, speeds=(1, 2)),
    dict(type='PerWindowAugment', size=224),
    dict(type='FormatSpeedViews'),
    dict(type='PackActionInputs', algorithm_keys=('speeds', )),
]
train_dataloader = dict(batch_size=64, dataset=dict(pipeline=train_pipeline))
