# A deliberately tiny supervised MMAction2 recipe (stock Recognizer3D and
# ResNet3d, real decord decoding) for tests of the engine paths: training,
# resume, load_from, test.py and DDP. The test fills in the data paths.
_base_ = ['../../../configs/_base_/default_runtime.py']

data_root = ''
ann_file = ''

model = dict(
    type='Recognizer3D',
    backbone=dict(type='ResNet3d', depth=18, pretrained=None,
                  pretrained2d=False, base_channels=8, num_stages=2,
                  out_indices=(1, ), spatial_strides=(1, 2),
                  temporal_strides=(1, 1), dilations=(1, 1),
                  conv1_kernel=(3, 7, 7), conv1_stride_t=1,
                  pool1_stride_t=1, inflate=(1, 1), norm_eval=False),
    cls_head=dict(type='I3DHead', num_classes=2, in_channels=16,
                  average_clips='prob'),
    data_preprocessor=dict(type='ActionDataPreprocessor',
                           mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375],
                           format_shape='NCTHW'))

pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', clip_len=4, frame_interval=1, num_clips=1),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(32, 32), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
test_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', clip_len=4, frame_interval=1, num_clips=1,
         test_mode=True),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(32, 32), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
dataset = dict(type='VideoDataset', ann_file=ann_file,
               data_prefix=dict(video=data_root), pipeline=pipeline)
train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False,
                        sampler=dict(type='DefaultSampler', shuffle=True),
                        dataset=dataset)
test_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False,
                       sampler=dict(type='DefaultSampler', shuffle=False),
                       dataset=dict(dataset, pipeline=test_pipeline,
                                    test_mode=True))
test_evaluator = dict(type='AccMetric')
test_cfg = dict(type='TestLoop')

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=2, val_interval=99)
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01, momentum=0.9))
param_scheduler = []
env_cfg = dict(dist_cfg=dict(backend='gloo'))
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval=1, max_keep_ckpts=-1))
randomness = dict(seed=0)
