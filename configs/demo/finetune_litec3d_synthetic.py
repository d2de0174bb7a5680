# Short supervised finetuning of the demo backbone on the synthetic motion
# set (labels: motion kind x speed band), from random init or RSPNet
# weights (`load_from`). tools/demo.py sets paths, classes and iterations.
_base_ = ['../finetune/_base_/models/classifier.py',
          '../_base_/default_runtime.py']

data_root = 'data/synthetic_motion/videos'
ann_file_train = 'data/synthetic_motion/train_list.txt'
ann_file_val = 'data/synthetic_motion/val_list.txt'
img_size = 32
num_test_clips = 4

model = dict(
    backbone=dict(type='LiteC3D', channels=(16, 32, 64, 64, 128),
                  frame_diff=True, clip_norm=True),
    cls_head=dict(num_classes=10, in_channels=128))

train_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', clip_len=16, frame_interval=1, num_clips=1),
    dict(type='VideoDecode'),
    dict(type='RandomResizedCrop', area_range=(0.5, 1.0)),
    dict(type='Resize', scale=(img_size, img_size), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
test_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', clip_len=16, frame_interval=1,
         num_clips=num_test_clips, test_mode=True),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(img_size, img_size), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
train_dataloader = dict(
    batch_size=32, num_workers=2, persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type='LabelledVideoDataset', ann_file=ann_file_train,
                 data_prefix=dict(video=data_root),
                 pipeline=train_pipeline))
test_dataloader = dict(
    batch_size=16, num_workers=2, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='LabelledVideoDataset', ann_file=ann_file_val,
                 data_prefix=dict(video=data_root),
                 pipeline=test_pipeline, test_mode=True))
test_evaluator = dict(type='AccMetric')
test_cfg = dict(type='TestLoop')
val_cfg = None

# The finetuning protocol (docs/demo.md), the same for both
# initialisations: every layer at one lr (as the reference), linear warm-up
# over the first 10 % of the iterations (rspnet_mm/demo/evaluate.py scales
# it with max_iters), then cosine to 0.
train_cfg = dict(type='IterBasedTrainLoop', max_iters=150)
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=15),
    dict(type='CosineAnnealingLR', eta_min=0, by_epoch=False, begin=15)
]
env_cfg = dict(dist_cfg=dict(backend='gloo'))
log_processor = dict(by_epoch=False, window_size=10)  # acc smoothed: see _base_
default_hooks = dict(
    logger=dict(interval=25),
    checkpoint=dict(by_epoch=False, interval=100000, save_last=False))
randomness = dict(seed=0)
