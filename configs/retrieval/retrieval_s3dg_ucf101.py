# UCF101 video retrieval with S3DG; protocol: _base_/ucf101_64x224.py.
# Run: python tools/retrieval.py configs/retrieval/retrieval_s3dg_ucf101.py CKPT
_base_ = ['../finetune/_base_/models/s3dg.py', '_base_/ucf101_64x224.py']
model = dict(cls_head=dict(_delete_=True, type='VideoFeatureHead'))
