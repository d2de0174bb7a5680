# RSPNet finetuning, reference recipe hmdb51_c3d (rspnet-reference.md §4).
_base_ = [
    '_base_/models/classifier.py', '_base_/datasets/hmdb51_16x112.py',
    '_base_/schedules/sgd_step.py', '_base_/runtime.py'
]
model = dict(backbone=dict(type='VCOPC3D'),
             cls_head=dict(num_classes=51, in_channels=512))
train_dataloader = dict(batch_size=6)
optim_wrapper = dict(optimizer=dict(lr=0.005))
train_cfg = dict(max_epochs=100)
# A backbone file from tools/convert_official_checkpoint.py or
# tools/extract_backbone.py; the classifier starts from scratch.
load_from = 'checkpoints/rspnet_c3d_k400_200e_backbone.pth'
