# RSPNet finetuning, reference recipe ucf101_r2plus1d (rspnet-reference.md §4):
# batch 8 and lr 0.1 are the recipe's defaults.
_base_ = ['_base_/models/r21d.py', '_base_/recipes/ucf101_16x112.py']
