# UCF101 videos in MMAction2's layout, 16x112 clips (rspnet-reference.md §4):
# train = 16 consecutive frames from a random start, crop area (0.25, 1),
# flip 0.5, no colour augmentation; val = 1 centre clip; test = 10 evenly
# spaced clips, square centre max-crop, resize, scores averaged.
# The split comes from the environment: `SPLIT=2 python tools/train.py ...`.
# LabelledVideoDataset checks the list when it is built (file, line and fix
# for a missing or out-of-range label, an empty list) and skips broken
# videos in training (rspnet_mm/datasets/labelled_video_dataset.py).
# VideoInit / VideoDecode read with PyAV (backend='decord' is the other
# choice; docs/video_input.md).
dataset_type = 'LabelledVideoDataset'
data_root = 'data/ucf101/videos'
split = '{{$SPLIT:1}}'
ann_file_train = f'data/ucf101/ucf101_train_split_{split}_videos.txt'
ann_file_val = f'data/ucf101/ucf101_val_split_{split}_videos.txt'
clip_len = 16
img_size = 112
num_test_clips = 10

train_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', clip_len=clip_len, frame_interval=1,
         num_clips=1),
    dict(type='VideoDecode'),
    dict(type='RandomResizedCrop', area_range=(0.25, 1.0)),
    dict(type='Resize', scale=(img_size, img_size), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
val_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', clip_len=clip_len, frame_interval=1,
         num_clips=1, test_mode=True),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(-1, img_size)),
    dict(type='CenterCrop', crop_size=img_size),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
test_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', clip_len=clip_len, frame_interval=1,
         num_clips=num_test_clips, test_mode=True),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(-1, img_size)),
    dict(type='CenterCrop', crop_size=img_size),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]

train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='ResumableSampler', shuffle=True),
    dataset=dict(type=dataset_type, ann_file=ann_file_train,
                 data_prefix=dict(video=data_root), pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file=ann_file_val,
                 data_prefix=dict(video=data_root), pipeline=val_pipeline,
                 test_mode=True))
test_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file=ann_file_val,
                 data_prefix=dict(video=data_root), pipeline=test_pipeline,
                 test_mode=True))
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
