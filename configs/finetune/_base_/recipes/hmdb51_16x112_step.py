# HMDB51 16x112 clips, step schedule (lr x0.1 at 50, 70, 90).
_base_ = ['../datasets/hmdb51_16x112.py', '../schedules/sgd_step.py']
