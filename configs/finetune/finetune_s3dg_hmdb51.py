# RSPNet finetuning, reference recipe hmdb51_s3dg (rspnet-reference.md §4).
_base_ = ['_base_/models/s3dg.py', '_base_/recipes/hmdb51_64x224.py']
model = dict(cls_head=dict(num_classes=51))
train_dataloader = dict(batch_size=4)
optim_wrapper = dict(optimizer=dict(lr=0.005))
