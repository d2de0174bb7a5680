# Something-Something V2 16x112 clips, 50 epochs, lr x0.1 at 20 and 40.
_base_ = ['../datasets/sthv2_16x112.py', '../schedules/sgd_step_20_40.py']
