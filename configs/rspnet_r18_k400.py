# RSPNet with the HaraResNet3D backbone on Kinetics-400: lr 0.1 per total batch of 64
# (auto_scale_lr), 64 clips per GPU, 16x112 input, 200 epochs
# (rspnet-reference.md §4; the reference used 4 V100s for 140 hours).
_base_ = [
    '_base_/models/rspnet.py', '_base_/datasets/k400_rsp_pretrain.py',
    '_base_/schedules/sgd_cosine_200e.py', '_base_/pretrain_runtime.py'
    # with the representation monitor (kNN / retrieval on UCF101 split 1,
    # docs/pretraining.md), use '_base_/pretrain_monitor.py' in its place
]
model = dict(backbone=dict(type='HaraResNet3D'), rsp_head=dict(in_channels=512),
             avid_head=dict(in_channels=512))
train_dataloader = dict(batch_size=64)
optim_wrapper = dict(optimizer=dict(lr=0.1))
