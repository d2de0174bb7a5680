# HMDB51 with 64-frame 224 px clips, for S3D-G.
_base_ = ['ucf101_64x224.py']

data_root = 'data/hmdb51/videos'
split = '{{$SPLIT:1}}'
ann_file_train = f'data/hmdb51/hmdb51_train_split_{split}_videos.txt'
ann_file_val = f'data/hmdb51/hmdb51_val_split_{split}_videos.txt'

train_dataloader = dict(dataset=dict(ann_file=ann_file_train,
                                     data_prefix=dict(video=data_root)))
val_dataloader = dict(dataset=dict(ann_file=ann_file_val,
                                   data_prefix=dict(video=data_root)))
test_dataloader = dict(dataset=dict(ann_file=ann_file_val,
                                    data_prefix=dict(video=data_root)))
