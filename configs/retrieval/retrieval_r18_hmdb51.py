# HMDB51 video retrieval with HaraResNet3D; protocol: _base_/hmdb51_16x112.py.
# Run: python tools/retrieval.py configs/retrieval/retrieval_r18_hmdb51.py CKPT
_base_ = ['../finetune/_base_/models/r18.py', '_base_/hmdb51_16x112.py']
model = dict(cls_head=dict(_delete_=True, type='VideoFeatureHead'))
