"""Data pipeline of RSPNet pretraining.

``RelativeSpeedSampler`` (two windows, speeds, one decode) ->
``SpeedWindowAugment`` (independent augmentation per window) ->
``FormatSpeedViews`` (q, k+, k- as one (3, C, T, H, W) array) ->
MMAction2's ``PackActionInputs(algorithm_keys=('speeds',))``.
"""
from .errors import VideoReadError
from .format_speed_views import FormatSpeedViews
from .relative_speed_sampler import RelativeSpeedSampler
from .speed_window_augment import SpeedWindowAugment

__all__ = [
    'RelativeSpeedSampler', 'SpeedWindowAugment', 'FormatSpeedViews',
    'VideoReadError'
]
