# S3D-G + linear classifier, from the converted RSPNet backbone (the
# 1000-epoch release; the 200-epoch one: change load_from).
_base_ = ['classifier.py', '../runtime.py']
model = dict(backbone=dict(type='S3DG'), cls_head=dict(in_channels=1024))
load_from = 'checkpoints/rspnet_s3dg_k400_1000e_backbone.pth'
