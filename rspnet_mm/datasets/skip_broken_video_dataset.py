"""A VideoDataset that checks its list and skips broken videos in training."""
import logging
import os
from typing import Dict, Optional

from mmaction.datasets import RawframeDataset, VideoDataset
from mmaction.registry import DATASETS
from mmengine.logging import print_log

from .broken_sample_counter import BrokenSampleCounter
from .transforms.errors import VideoReadError
from .transforms.frame_sources import decord_error_types
from .video_list import parse_video_list

#: What a broken video file raises: our pipeline's error, decord's own
#: (MMAction2's DecordInit / DecordDecode) and a missing file read through
#: mmengine's file backend (DecordInit). A ``RuntimeError`` counts too when
#: decord's Python code raised it (``Error reading ...`` for a file that is
#: not a video).
VIDEO_ERRORS = (VideoReadError, FileNotFoundError, *decord_error_types())
_DECORD_DIR = f'{os.sep}decord{os.sep}'


def is_video_error(error: BaseException) -> bool:
    """Whether ``error`` says that a video file is unusable (and not that
    the code or the config is wrong)."""
    if isinstance(error, VIDEO_ERRORS):
        return True
    if not isinstance(error, RuntimeError):
        return False
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and _DECORD_DIR in tb.tb_frame.f_code.co_filename


class TooManyBrokenVideosError(RuntimeError):
    """More samples failed to load than ``max_broken_fraction`` allows."""


@DATASETS.register_module()
class SkipBrokenVideoDataset(VideoDataset):
    """MMAction2's ``VideoDataset`` with checked lines and skipped videos.

    Construction reads the list with :func:`parse_video_list`, so a
    malformed line (wrong number of fields, empty path, non-integer label,
    label outside ``[0, num_classes)`` when ``num_classes`` is given) stops
    with an error naming the file and line.

    In training (``test_mode=False``), a sample whose video cannot be read
    (:class:`VideoReadError`, decord's errors, a missing file; see
    :func:`is_video_error`) is skipped: mmengine's ``BaseDataset`` then
    loads another, random sample in its place (its ``max_refetch`` loop).
    Each broken file is logged once, with the reason and the running
    counts; the counts are shared by all DataLoader workers
    (:class:`BrokenSampleCounter`). Once at least ``min_samples`` loads
    were attempted, a broken fraction ``broken / loaded`` above
    ``max_broken_fraction`` stops the run with
    :class:`TooManyBrokenVideosError` (a wrong ``data_prefix`` or a bad
    copy of the data should not train on what is left).

    A video that the sampler's backend cannot read is first tried with the
    other installed backends (``RelativeSpeedSampler`` logs which one read
    it; :attr:`fallback_reads` counts them); when all fail, the skip log
    gives each backend's reason. A sample whose decoding passes the
    sampler's ``decode_timeout`` is skipped the same way.

    In test mode nothing is skipped: evaluation must see every video, so the
    error propagates.

    Args:
        ann_file (str): ``path [label]`` list.
        pipeline (list): Data transforms.
        max_broken_fraction (float): Largest allowed share of failed loads,
            in [0, 1]. Defaults to 0.1.
        min_samples (int): Loads to attempt before the fraction is checked.
            Defaults to 50.
        **kwargs: Everything else of ``VideoDataset`` (``data_prefix``,
            ``num_classes``, ``multi_class``, ``delimiter``, ...).

    Note:
        The counter is created when the data list is loaded, before the
        DataLoader starts workers; with ``lazy_init=True`` each worker
        counts on its own. In distributed training each process counts
        (and applies the limit to) its own share of the data.
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: list,
                 max_broken_fraction: float = 0.1,
                 min_samples: int = 50,
                 **kwargs) -> None:
        if isinstance(max_broken_fraction, bool) or not isinstance(
                max_broken_fraction, int | float) or not (
                    0.0 <= max_broken_fraction <= 1.0):
            raise ValueError(
                f'SkipBrokenVideoDataset: max_broken_fraction='
                f'{max_broken_fraction!r} must be a number in [0, 1] (e.g. '
                '0.1 stops the run when more than 10% of loads fail)')
        if isinstance(min_samples, bool) or not isinstance(
                min_samples, int) or min_samples < 1:
            raise ValueError(
                f'SkipBrokenVideoDataset: min_samples={min_samples!r} must '
                'be an int >= 1')
        self.max_broken_fraction = float(max_broken_fraction)
        self.min_samples = min_samples
        self.broken_counter: Optional[BrokenSampleCounter] = None
        #: Samples of this process that a fallback backend read, by backend.
        self.fallback_reads: Dict[str, int] = {}
        super().__init__(ann_file, pipeline, **kwargs)

    def load_data_list(self) -> list:
        """Read the list, with an error naming any malformed line."""
        return parse_video_list(
            self.ann_file, data_prefix=self.data_prefix.get('video'),
            delimiter=self.delimiter, multi_class=self.multi_class,
            num_classes=self.num_classes)

    def full_init(self) -> None:
        """Load the list and create the shared broken-sample counter."""
        if self._fully_initialized:
            return
        super().full_init()
        self.broken_counter = BrokenSampleCounter(len(self))

    def prepare_data(self, idx: int) -> Optional[Dict]:
        """Run the pipeline on sample ``idx``; None for a broken video in
        training (the caller then loads another sample)."""
        if self.test_mode:
            return self._load(idx)
        try:
            data = self._load(idx)
        except Exception as error:
            if not is_video_error(error):
                raise
            self._skip(idx, error)
            return None
        self._check(self.broken_counter.record_loaded(), None)
        return data

    def _load(self, idx: int):
        """The pipeline's output for ``idx``; counts a fallback read
        (``RelativeSpeedSampler`` logs it, naming both backends)."""
        info = self.get_data_info(idx)
        data = self.pipeline(info)
        if info.get('fallback_from'):
            used = info['decoded_by']
            self.fallback_reads[used] = self.fallback_reads.get(used, 0) + 1
        return data

    def _skip(self, idx: int, error: Exception) -> None:
        if isinstance(error, VideoReadError):
            path, reason = error.path, error.reason
        else:
            info = self.get_data_info(idx)
            path = info.get('filename', info.get('frame_dir'))
            reason = f'{type(error).__name__}: {error}'
        counts = self.broken_counter.record_broken(idx)
        if counts['first']:
            print_log(
                f'SkipBrokenVideoDataset: skipping broken video {path} '
                f'({reason}); {counts["broken"]} of {counts["loaded"]} '
                f'loads failed so far ({counts["broken_files"]} broken '
                f'files), the run stops above '
                f'{self.max_broken_fraction:.0%}',
                logger='current', level=logging.WARNING)
        self._check(counts, f'{path} ({reason})')

    def _check(self, counts: Dict[str, int], example: Optional[str]) -> None:
        loaded, broken = counts['loaded'], counts['broken']
        if loaded < self.min_samples or (
                broken <= self.max_broken_fraction * loaded):
            return
        prefix = (self.data_prefix.get('video')
                  or self.data_prefix.get('img') or '.')
        raise TooManyBrokenVideosError(
            f'SkipBrokenVideoDataset: {broken} of {loaded} sample loads '
            f'({broken / loaded:.1%}, {counts["broken_files"]} distinct '
            f'files) failed, more than max_broken_fraction='
            f'{self.max_broken_fraction} allows'
            + (f'; e.g. {example}' if example else '')
            + f'. List every broken video of {self.ann_file} with '
            f'`python tools/check_videos.py {self.ann_file} --data-prefix '
            f'{prefix} --out broken.txt` and remove them from the list, '
            'check data_prefix, or raise max_broken_fraction')

    def broken_counts(self) -> Dict[str, int]:
        """Counts over all workers so far: ``loaded``, ``broken``,
        ``broken_files`` (see :meth:`BrokenSampleCounter.counts`)."""
        if self.broken_counter is None:
            return dict(loaded=0, broken=0, broken_files=0)
        return self.broken_counter.counts()


@DATASETS.register_module()
class SkipBrokenRawframeDataset(SkipBrokenVideoDataset):
    """:class:`SkipBrokenVideoDataset` over frame folders in MMAction2's
    rawframe layout (as ``RawframeDataset``).

    Annotation lines are ``frame_dir total_frames label``; each sample gets
    ``frame_dir`` (joined to ``data_prefix['img']``), ``total_frames`` and
    ``filename_tmpl``, which ``RelativeSpeedSampler`` reads. Broken folders
    (missing, missing frames) are skipped and counted as broken videos.

    Args:
        ann_file (str): ``frame_dir total_frames [label]`` list.
        pipeline (list): Data transforms.
        data_prefix (dict): ``dict(img=root)``. Defaults to
            ``dict(img='')``.
        filename_tmpl (str): Frame file name. Defaults to
            ``'img_{:05}.jpg'``.
        start_index (int): Number in the first frame's name. Defaults to
            1.
        **kwargs: Everything else of :class:`SkipBrokenVideoDataset`.
    """

    def __init__(self, ann_file: str, pipeline: list,
                 data_prefix: Optional[Dict] = None,
                 filename_tmpl: str = 'img_{:05}.jpg', start_index: int = 1,
                 **kwargs) -> None:
        self.filename_tmpl = filename_tmpl
        self.with_offset = False
        super().__init__(ann_file, pipeline,
                         data_prefix=data_prefix or dict(img=''),
                         start_index=start_index, **kwargs)

    def load_data_list(self) -> list:
        """``frame_dir``, ``total_frames`` and ``label`` per line."""
        return RawframeDataset.load_data_list(self)

    def get_data_info(self, idx: int) -> Dict:
        """The sample's info with ``filename_tmpl``."""
        info = super().get_data_info(idx)
        info['filename_tmpl'] = self.filename_tmpl
        return info
