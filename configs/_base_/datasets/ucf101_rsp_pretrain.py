# UCF101 (split 1 train list) for RSPNet pretraining; same pipeline as K400.
_base_ = ['k400_rsp_pretrain.py']
data_root = 'data/ucf101/videos'
ann_file_train = 'data/ucf101/ucf101_train_split_1_videos.txt'
train_dataloader = dict(dataset=dict(ann_file=ann_file_train,
                                     data_prefix=dict(video=data_root)))
