# Runtime shared by every rspnet_mm config (MMAction2's defaults plus the
# plugin import and a DDP wrapper that also wraps CPU modules).
default_scope = 'mmaction'
custom_imports = dict(imports=['rspnet_mm'], allow_failed_imports=False)

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, ignore_last=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    sync_buffers=dict(type='SyncBuffersHook'))

# RNG states of python/numpy/torch saved in checkpoints and restored on
# --resume (rspnet_mm/engine/hooks/rng_state_hook.py).
custom_hooks = [dict(type='RNGStateHook')]

# NCCL on GPUs; for multi-process runs on CPU set
#   --cfg-options env_cfg.dist_cfg.backend=gloo
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))

# DeviceAgnosticDDP = MMDistributedDataParallel that drops device_ids for
# CPU modules (rspnet_mm/compat/cpu_distributed.py).
model_wrapper_cfg = dict(
    type='DeviceAgnosticDDP',
    broadcast_buffers=False,
    find_unused_parameters=False)

# Accuracies (rsp_acc, avid_acc, ...) are smoothed over the window like
# the losses, instead of showing the last iteration only.
log_processor = dict(
    type='LogProcessor',
    window_size=20,
    by_epoch=True,
    mean_pattern=r'.*(loss|time|data_time|grad_norm|acc).*')
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='ActionVisualizer', vis_backends=vis_backends)
log_level = 'INFO'
load_from = None
resume = False
