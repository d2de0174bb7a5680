# RSPNet finetuning, reference recipe ucf101_s3dg (rspnet-reference.md §4).
_base_ = ['_base_/models/s3dg.py', '_base_/recipes/ucf101_64x224.py']
train_dataloader = dict(batch_size=4)
optim_wrapper = dict(optimizer=dict(lr=0.005))
