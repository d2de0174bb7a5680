# Linear probe: the whole backbone frozen (parameters fixed, BN statistics
# in eval mode: frozen_stages=4 covers the stem and the four stages), only
# the linear classifier on globally pooled features is trained.
_base_ = ['finetune_r21d_ucf101.py']
model = dict(backbone=dict(frozen_stages=4))
optim_wrapper = dict(optimizer=dict(lr=0.1, weight_decay=0.0))
