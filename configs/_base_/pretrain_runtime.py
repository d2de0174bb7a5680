# Pretraining runtime: the shared runtime, a checkpoint every 50 epochs
# (the reference keeps those) and the last one for --resume.
_base_ = ['default_runtime.py']
default_hooks = dict(
    checkpoint=dict(interval=50, max_keep_ckpts=-1, save_last=True))
