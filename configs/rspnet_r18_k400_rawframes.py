# RSPNet with the HaraResNet3D backbone on Kinetics-400 stored as frame
# folders in MMAction2's rawframe layout (tools/data/extract_frames.py
# writes them): annotation lines `frame_dir total_frames label`, frames
# img_00001.jpg, ... The same recipe as rspnet_r18_k400.py; the sampler
# reads only the frames its views use. Override the data with
# --cfg-options train_dataloader.dataset.ann_file=... and
# train_dataloader.dataset.data_prefix.img=...
_base_ = ['rspnet_r18_k400.py']
data_root = 'data/kinetics400/rawframes_train'
ann_file_train = 'data/kinetics400/kinetics400_train_list_rawframes.txt'
train_dataloader = dict(
    dataset=dict(type='SkipBrokenRawframeDataset', ann_file=ann_file_train,
                 data_prefix=dict(_delete_=True, img=data_root),
                 filename_tmpl='img_{:05}.jpg'))
