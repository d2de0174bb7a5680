# RSPNet finetuning, reference recipe hmdb51_r2plus1d (rspnet-reference.md §4).
_base_ = ['_base_/models/r21d.py', '_base_/recipes/hmdb51_16x112.py']
model = dict(cls_head=dict(num_classes=51))
train_dataloader = dict(batch_size=16)
