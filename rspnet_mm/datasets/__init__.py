"""Datasets of the plugin: the RSPNet pipeline transforms and a video
dataset that checks its list and skips broken videos."""
from . import transforms  # noqa: F401
from .broken_sample_counter import BrokenSampleCounter
from .labelled_video_dataset import LabelledVideoDataset
from .skip_broken_video_dataset import (
    SkipBrokenVideoDataset,
    TooManyBrokenVideosError,
)
from .video_list import VideoListError, parse_video_list

__all__ = [
    'SkipBrokenVideoDataset', 'TooManyBrokenVideosError',
    'LabelledVideoDataset',
    'BrokenSampleCounter', 'VideoListError', 'parse_video_list'
]
