# Pretraining runtime with the representation monitor (docs/pretraining.md):
# every train_cfg.val_interval epochs (or iterations in an iteration-based
# loop; mmengine's default is 1), the query backbone embeds a small
# labelled video set (eval mode, no gradient, features pooled over
# space-time and the clips) and RepresentationMonitorMetric logs knn_top1
# (cosine kNN, leave-one-out, k=10), retrieval_r1 and retrieval_r5 (fractions
# in [0, 1]) and monitor_seconds to every vis backend; the checkpoint with
# the best knn_top1 is kept as best_knn_top1_*.pth.
#
# Enable it in a pretraining config by using this file in place of
# '_base_/pretrain_runtime.py' in its _base_ list (the rspnet_*_k400.py
# configs say where), and point it at a labelled set with
#   --cfg-options val_dataloader.dataset.ann_file=... \
#       val_dataloader.dataset.data_prefix.video=... train_cfg.val_interval=5
# The default is UCF101 split 1's test list (3,783 videos, one 16-frame
# clip each); a class-balanced subset of ~1,000 videos costs a quarter.
# For S3D-G (224 px) set val_dataloader.dataset.pipeline's CenterCrop to 224
# and Resize to (-1, 256).
_base_ = ['pretrain_runtime.py']

monitor_root = 'data/ucf101/videos'
monitor_ann_file = 'data/ucf101/ucf101_val_split_1_videos.txt'
monitor_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', clip_len=16, frame_interval=1, num_clips=1,
         test_mode=True),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(-1, 128)),
    dict(type='CenterCrop', crop_size=112),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
val_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='VideoDataset', ann_file=monitor_ann_file,
                 data_prefix=dict(video=monitor_root),
                 pipeline=monitor_pipeline, test_mode=True))
val_evaluator = dict(type='RepresentationMonitorMetric', k=10)
val_cfg = dict(type='RepresentationMonitorLoop')
default_hooks = dict(checkpoint=dict(save_best='knn_top1', rule='greater'))
