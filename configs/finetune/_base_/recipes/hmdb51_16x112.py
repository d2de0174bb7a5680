# HMDB51 16x112 clips, cosine schedule (30 epochs).
_base_ = ['../datasets/hmdb51_16x112.py', '../schedules/sgd_cosine.py']
