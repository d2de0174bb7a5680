# UCF101 video retrieval with the HaraResNet3D backbone; protocol as in
# retrieval_c3d_ucf101.py.
# Run: python tools/retrieval.py configs/retrieval/retrieval_r18_ucf101.py CKPT
_base_ = ['retrieval_c3d_ucf101.py']
model = dict(backbone=dict(type='HaraResNet3D'))
