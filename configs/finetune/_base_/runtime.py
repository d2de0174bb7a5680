# Finetuning runtime: the shared runtime, the val and test loops, keeping
# the best checkpoint by top-1 on the validation split.
_base_ = ['../../_base_/default_runtime.py']
default_hooks = dict(
    checkpoint=dict(interval=1, max_keep_ckpts=2, save_best='acc/top1'))
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
