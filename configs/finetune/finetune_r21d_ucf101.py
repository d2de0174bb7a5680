# RSPNet finetuning, reference recipe ucf101_r2plus1d (rspnet-reference.md §4).
_base_ = [
    '_base_/models/classifier.py', '_base_/datasets/ucf101_16x112.py',
    '_base_/schedules/sgd_cosine.py', '_base_/runtime.py'
]
model = dict(backbone=dict(type='VCOPR2Plus1D'),
             cls_head=dict(num_classes=101, in_channels=512))
train_dataloader = dict(batch_size=8)
optim_wrapper = dict(optimizer=dict(lr=0.1))
train_cfg = dict(max_epochs=30)
# A backbone file from tools/convert_official_checkpoint.py or
# tools/extract_backbone.py; the classifier starts from scratch.
load_from = 'checkpoints/rspnet_r21d_k400_200e_backbone.pth'
