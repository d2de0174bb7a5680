# RSPNet finetuning, reference recipe ucf101_resnet18 (rspnet-reference.md §4).
_base_ = ['_base_/models/r18.py', '_base_/recipes/ucf101_16x112.py']
train_dataloader = dict(batch_size=32)
