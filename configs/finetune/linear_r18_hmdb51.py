# Linear probe on finetune_r18_hmdb51.py: backbone frozen (frozen_stages=4:
# stem and four stages, BN statistics fixed), linear classifier trained.
_base_ = ['finetune_r18_hmdb51.py']
model = dict(backbone=dict(frozen_stages=4))
optim_wrapper = dict(optimizer=dict(lr=0.1, weight_decay=0.0))
