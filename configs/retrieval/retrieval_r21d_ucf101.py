# UCF101 video retrieval with the VCOPR2Plus1D backbone; protocol as in
# retrieval_c3d_ucf101.py.
# Run: python tools/retrieval.py configs/retrieval/retrieval_r21d_ucf101.py CKPT
_base_ = ['retrieval_c3d_ucf101.py']
model = dict(backbone=dict(type='VCOPR2Plus1D'))
