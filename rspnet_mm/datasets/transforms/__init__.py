"""Data pipeline of RSPNet pretraining.

``RelativeSpeedSampler`` (two windows, speeds, one decode) ->
``PerWindowAugment`` (independent augmentation per window) ->
``FormatSpeedViews`` (q, k+, k- as one (3, C, T, H, W) array) ->
MMAction2's ``PackActionInputs(algorithm_keys=('speeds',))``.

``VideoInit`` / ``VideoDecode`` replace ``DecordInit`` / ``DecordDecode`` in
the other pipelines (finetuning, retrieval, feature extraction).
"""
from .errors import VideoReadError
from .format_speed_views import FormatSpeedViews
from .per_window_augment import PerWindowAugment, SpeedWindowAugment
from .relative_speed_sampler import RelativeSpeedSampler
from .video_init_decode import VideoDecode, VideoInit

__all__ = [
    'RelativeSpeedSampler', 'PerWindowAugment', 'FormatSpeedViews',
    'VideoReadError', 'SpeedWindowAugment', 'VideoInit', 'VideoDecode'
]
