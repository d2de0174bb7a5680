# UCF101 with 64-frame 224 px clips, for S3D-G (rspnet-reference.md §4):
# the 16x112 pipelines with the clip length and the sizes replaced.
_base_ = ['ucf101_16x112.py']

clip_len = 64
img_size = 224


def _resized(pipeline, resize_scale):
    """The pipeline with this file's clip length and image size."""
    new_args = dict(SampleFrames=dict(clip_len=clip_len),
                    Resize=dict(scale=resize_scale),
                    CenterCrop=dict(crop_size=img_size))
    return [dict(step, **new_args.get(step['type'], {})) for step in pipeline]


train_pipeline = _resized(_base_.train_pipeline, (img_size, img_size))
val_pipeline = _resized(_base_.val_pipeline, (-1, img_size))
test_pipeline = _resized(_base_.test_pipeline, (-1, img_size))
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
