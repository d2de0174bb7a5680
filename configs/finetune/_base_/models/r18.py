# Hara 3D-ResNet-18 + linear classifier, from the converted RSPNet backbone.
_base_ = ['classifier.py', '../runtime.py']
model = dict(backbone=dict(type='HaraResNet3D'),
             cls_head=dict(in_channels=512))
load_from = 'checkpoints/rspnet_r18_k400_200e_backbone.pth'
