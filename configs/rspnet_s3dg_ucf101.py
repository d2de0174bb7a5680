# RSPNet with the S3DG backbone pretrained on UCF101 (split 1 train videos),
# otherwise as rspnet_s3dg_k400.py.
_base_ = ['rspnet_s3dg_k400.py']
data_root = 'data/ucf101/videos'
ann_file_train = 'data/ucf101/ucf101_train_split_1_videos.txt'
train_dataloader = dict(dataset=dict(ann_file=ann_file_train,
                                     data_prefix=dict(video=data_root)))
