# RSPNet finetuning, reference recipe hmdb51_c3d (rspnet-reference.md §4).
_base_ = ['_base_/models/c3d.py', '_base_/recipes/hmdb51_16x112_step.py']
model = dict(cls_head=dict(num_classes=51))
train_dataloader = dict(batch_size=6)
optim_wrapper = dict(optimizer=dict(lr=0.005))
train_cfg = dict(max_epochs=100)
