# Something-Something V2 in MMAction2's layout (data/sthv2), 16x112 clips.
# The reference samples SSv2 by 'cover' (rspnet-reference.md §4): the 16
# frames of a clip spread over the whole video, here UniformSample (one
# frame per segment: random in training, the middle one for val/test, one
# clip), and does not flip (a flip turns "left to right" into "right to
# left"). Crop and resize are those of the 16x112 UCF101 pipelines.
_base_ = ['ucf101_16x112.py']

data_root = 'data/sthv2/videos'
ann_file_train = 'data/sthv2/sthv2_train_list_videos.txt'
ann_file_val = 'data/sthv2/sthv2_val_list_videos.txt'


def _cover(pipeline, test_mode):
    """The pipeline with 'cover' sampling and without the flip."""
    return [dict(type='UniformSample', clip_len=step['clip_len'],
                 test_mode=test_mode) if step['type'] == 'SampleFrames'
            else step for step in pipeline if step['type'] != 'Flip']


def _split(ann_file, pipeline):
    return dict(dataset=dict(ann_file=ann_file, pipeline=pipeline,
                             data_prefix=dict(video=data_root)))


train_pipeline = _cover(_base_.train_pipeline, test_mode=False)
val_pipeline = _cover(_base_.val_pipeline, test_mode=True)
test_pipeline = val_pipeline
train_dataloader = _split(ann_file_train, train_pipeline)
val_dataloader = _split(ann_file_val, val_pipeline)
test_dataloader = _split(ann_file_val, test_pipeline)
