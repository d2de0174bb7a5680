# HMDB51 64x224 clips (S3D-G), cosine schedule, 50 epochs.
_base_ = ['../datasets/hmdb51_64x224.py', '../schedules/sgd_cosine.py']
train_cfg = dict(max_epochs=50)
