# Finetuning runtime: the shared runtime, keeping the best checkpoint by
# top-1 on the validation split.
_base_ = ['../../_base_/default_runtime.py']
default_hooks = dict(
    checkpoint=dict(interval=1, max_keep_ckpts=2, save_best='acc/top1'))
