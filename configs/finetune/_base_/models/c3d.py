# Model files: backbone + linear classifier (classifier.py), the finetuning
# runtime, and load_from = the converted RSPNet backbone of this architecture
# (a file of tools/convert_official_checkpoint.py or tools/extract_backbone.py;
# default_runtime.py sets load_from too, so the runtime comes in here).
# VCOP C3D + linear classifier, from the converted RSPNet backbone (a file of
# tools/convert_official_checkpoint.py or tools/extract_backbone.py).
_base_ = ['classifier.py', '../runtime.py']
model = dict(backbone=dict(type='VCOPC3D'), cls_head=dict(in_channels=512))
load_from = 'checkpoints/rspnet_c3d_k400_200e_backbone.pth'
