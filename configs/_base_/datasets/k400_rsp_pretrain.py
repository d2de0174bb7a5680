# Kinetics-400 train videos in MMAction2's layout, read by the RSPNet
# pipeline: two windows of 16 x 2 frames, one decode, independent
# augmentation per window (crop area 0.4-1, aspect 3/4-4/3, grayscale 0.2,
# jitter 0.4/0.4/0.4/0.4, flip 0.5), views q / k+ / k- at speeds 1x and 2x.
# VideoDataset that checks the list (file and line of a malformed entry) and
# skips unreadable videos, logging each once; more than 10% failed loads
# (after 50) stop the run. `python tools/check_videos.py CONFIG` lists them.
# Frames come from PyAV (reads h264/hevc/vp9/av1/mpeg4/...; backend='decord'
# is the other choice, docs/video_input.md); a file it cannot read is tried
# with decord before it is skipped; one sample's decoding is bounded by
# decode_timeout seconds.
dataset_type = 'SkipBrokenVideoDataset'
data_root = 'data/kinetics400/videos_train'
ann_file_train = 'data/kinetics400/kinetics400_train_list_videos.txt'

train_pipeline = [
    dict(type='RelativeSpeedSampler', clip_len=16, speeds=(1, 2),
         backend='pyav', decode_timeout=60),
    dict(type='PerWindowAugment', size=112),
    dict(type='FormatSpeedViews'),
    dict(type='PackActionInputs', algorithm_keys=('speeds', )),
]
train_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    # full batches only: the queue length must be a multiple of the total
    # batch (the reference trims K for the same reason)
    drop_last=True,
    sampler=dict(type='ResumableSampler', shuffle=True),
    dataset=dict(type=dataset_type, ann_file=ann_file_train,
                 data_prefix=dict(video=data_root),
                 pipeline=train_pipeline))
