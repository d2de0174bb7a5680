# HMDB51 video retrieval with S3DG; protocol: _base_/hmdb51_64x224.py.
# Run: python tools/retrieval.py configs/retrieval/retrieval_s3dg_hmdb51.py CKPT
_base_ = ['../finetune/_base_/models/s3dg.py', '_base_/hmdb51_64x224.py']
model = dict(cls_head=dict(_delete_=True, type='VideoFeatureHead'))
