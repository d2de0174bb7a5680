# RSPNet finetuning, reference recipe hmdb51_s3dg (rspnet-reference.md §4).
_base_ = [
    '_base_/models/classifier.py', '_base_/datasets/hmdb51_64x224.py',
    '_base_/schedules/sgd_cosine.py', '_base_/runtime.py'
]
model = dict(backbone=dict(type='S3DG'),
             cls_head=dict(num_classes=51, in_channels=1024))
train_dataloader = dict(batch_size=4)
optim_wrapper = dict(optimizer=dict(lr=0.005))
train_cfg = dict(max_epochs=50)
# A backbone file from tools/convert_official_checkpoint.py or
# tools/extract_backbone.py; the classifier starts from scratch.
load_from = 'checkpoints/rspnet_s3dg_k400_1000e_backbone.pth'
