# Runtime shared by every rspnet_mm config: MMAction2's defaults plus the
# plugin import, a runner with an honest --resume, checkpoints that survive
# crashes and pre-emption, a NaN-loss guard and a DDP wrapper that also wraps
# CPU modules (docs/long_runs.md).
default_scope = 'mmaction'
custom_imports = dict(imports=['rspnet_mm'], allow_failed_imports=False)
# --resume says what it resumes from, or that there is nothing to resume,
# and warns when max_epochs / max_iters changed; distributed runs use gloo
# where there is no CUDA (rspnet_mm/engine/runner.py)
runner_type = 'CheckedRunner'

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, ignore_last=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # atomic files, old ones deleted after the new one is written, a rolling
    # latest.pth every `latest_interval` iterations, and latest.pth written
    # before stopping on SIGTERM / SIGUSR1
    checkpoint=dict(type='AtomicCheckpointHook', interval=1, max_keep_ckpts=3,
                    latest_interval=500),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    sync_buffers=dict(type='SyncBuffersHook'),
    # a NaN / inf loss stops the run before it reaches the weights
    # (mode='skip' skips and counts such steps instead)
    non_finite_loss=dict(type='NonFiniteLossHook', mode='stop'),
    # a load_from whose backbone does not fit the model's stops before
    # training (allow_partial=True loads what fits; docs/checkpoints.md)
    load_from_check=dict(type='LoadFromCheckHook'))

# RNG states of python/numpy/torch saved in checkpoints and restored on
# --resume (rspnet_mm/engine/hooks/rng_state_hook.py); the loss line of the
# first iteration whatever the logger interval (the project's tools add it
# to configs that replace custom_hooks).
custom_hooks = [dict(type='RNGStateHook'), dict(type='FirstItersLoggerHook')]

# NCCL on GPUs; CheckedRunner switches to gloo on a machine without CUDA
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
