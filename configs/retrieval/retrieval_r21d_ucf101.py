# UCF101 video retrieval with VCOPR2Plus1D; protocol: _base_/ucf101_16x112.py.
# Run: python tools/retrieval.py configs/retrieval/retrieval_r21d_ucf101.py CKPT
_base_ = ['../finetune/_base_/models/r21d.py', '_base_/ucf101_16x112.py']
model = dict(cls_head=dict(_delete_=True, type='VideoFeatureHead'))
