# RSPNet finetuning, reference recipe hmdb51_resnet18 (rspnet-reference.md §4).
_base_ = ['_base_/models/r18.py', '_base_/recipes/hmdb51_16x112_step.py']
model = dict(cls_head=dict(num_classes=51))
train_dataloader = dict(batch_size=64)
optim_wrapper = dict(optimizer=dict(lr=0.01))
