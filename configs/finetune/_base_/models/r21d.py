# VCOP R(2+1)D + linear classifier, from the converted RSPNet backbone.
_base_ = ['classifier.py', '../runtime.py']
model = dict(backbone=dict(type='VCOPR2Plus1D'),
             cls_head=dict(in_channels=512))
load_from = 'checkpoints/rspnet_r21d_k400_200e_backbone.pth'
