# RSPNet finetuning, reference recipe ucf101_c3d (rspnet-reference.md §4).
_base_ = ['_base_/models/c3d.py', '_base_/recipes/ucf101_16x112.py']
train_dataloader = dict(batch_size=20)
optim_wrapper = dict(optimizer=dict(lr=0.005))
