"""RSPNet's spatial augmentation, drawn once per window."""
import numbers
import warnings
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from . import frame_ops
from .speed_plan import VIEW_WINDOWS

#: The official pretraining jitter (``get_transform_vid``).
RSPNET_JITTER = dict(brightness=0.4, contrast=0.4, saturation=0.4, hue=0.4)

_JITTER_KEYS = ('brightness', 'contrast', 'saturation', 'hue')
_JITTER_OPS = {
    'brightness': frame_ops.adjust_brightness,
    'contrast': frame_ops.adjust_contrast,
    'saturation': frame_ops.adjust_saturation,
    'hue': frame_ops.adjust_hue,
}


def _check_range(name: str, value: Sequence[float], low: float,
                 high: float) -> Tuple[float, float]:
    try:
        first, second = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f'{name}={value!r}: must be a (min, max) pair of '
                         'numbers') from None
    if not low <= first <= second <= high:
        raise ValueError(f'{name}={value!r}: need {low} <= min <= max <= '
                         f'{high}')
    return first, second


def _check_jitter(color_jitter: Optional[Dict]) -> Dict[str, Tuple]:
    """Turn ``dict(brightness=0.4, ...)`` into factor ranges."""
    if color_jitter is None:
        return {}
    unknown = set(color_jitter) - set(_JITTER_KEYS)
    if unknown:
        raise ValueError(f'color_jitter has unknown keys {sorted(unknown)}; '
                         f'allowed: {_JITTER_KEYS}')
    ranges = {}
    for key in _JITTER_KEYS:
        value = color_jitter.get(key, 0)
        center, low, high = ((0.0, -0.5, 0.5) if key == 'hue' else
                             (1.0, 0.0, float('inf')))
        if isinstance(value, numbers.Number):
            if value < 0:
                raise ValueError(f'color_jitter {key}={value!r}: must be '
                                 '>= 0')
            value = (max(center - value, low), center + value)
        value = _check_range(f'color_jitter {key}', value, low, high)
        if value != (center, center):
            ranges[key] = value
    return ranges


@TRANSFORMS.register_module()
class PerWindowAugment(BaseTransform):
    """Augment windows A and B independently, each frame of a window alike.

    RSPNet's pretraining augmentation (``get_transform_vid`` of the official
    code), in its order: random resized crop (area and aspect ranges) ->
    resize to ``size`` x ``size`` -> grayscale with ``gray_prob`` -> colour
    jitter (brightness, contrast, saturation, hue in a random order, as
    torchvision's ``ColorJitter``) -> horizontal flip with ``flip_prob``.
    Window A's frames (those of q) and window B's (those of k+ and k-, which
    so share one augmentation) get independent parameters. Only the decoded
    frames a view uses are processed, all on uint8.

    Required keys: ``imgs`` (n, H, W, 3) uint8 and ``view_rows`` (3, T), as
    :class:`RelativeSpeedSampler` gives.

    Added keys: ``windows`` (list of two (n_w, size, size, 3) uint8 arrays,
    A then B), ``window_view_rows`` ((3, T) int64, for q, k+, k- the rows of
    their window), ``aug_params`` (list of two dicts: ``crop`` (top, left,
    height, width) in decoded pixels, ``gray`` (bool), ``jitter`` (list of
    ``(name, factor)`` in the order applied), ``flip`` (bool)). Updated:
    ``img_shape``. Removed: ``imgs``.

    Args:
        size (int): Output height and width. Defaults to 112.
        area_range (tuple[float, float]): Crop area fraction. Defaults to
            (0.4, 1.0).
        aspect_ratio_range (tuple[float, float]): Crop width / height.
            Defaults to (3 / 4, 4 / 3).
        gray_prob (float): Probability of grayscale. Defaults to 0.2.
        color_jitter (dict | None): ``brightness``, ``contrast``,
            ``saturation`` (factor drawn in [max(0, 1 - v), 1 + v] or a
            given (min, max)) and ``hue`` (shift in [-v, v] of a full turn,
            v <= 0.5); None turns jitter off. Defaults to 0.4 for all four.
        flip_prob (float): Probability of a horizontal flip. Defaults to
            0.5.
        interpolation (str): ``'bilinear'`` (as the official code) or
            ``'area'``. Defaults to ``'bilinear'``.

    Raises:
        ValueError: At construction, for a bad size, range or probability.
    """

    def __init__(self,
                 size: int = 112,
                 area_range: Tuple[float, float] = (0.4, 1.0),
                 aspect_ratio_range: Tuple[float, float] = (3 / 4, 4 / 3),
                 gray_prob: float = 0.2,
                 color_jitter: Optional[Dict[str, Union[float, Tuple]]] = (
                     RSPNET_JITTER),
                 flip_prob: float = 0.5,
                 interpolation: str = 'bilinear') -> None:
        if isinstance(size, bool) or not isinstance(
                size, int | np.integer) or size <= 0:
            raise ValueError(f'size={size!r}: must be a positive int (the '
                             'output height and width, e.g. 112)')
        self.size = int(size)
        self.area_range = _check_range('area_range', area_range, 0.0, 1.0)
        if self.area_range[1] <= 0:
            raise ValueError(f'area_range={area_range!r}: max must be > 0')
        self.aspect_ratio_range = _check_range(
            'aspect_ratio_range', aspect_ratio_range, 1e-6, float('inf'))
        for name, prob in (('gray_prob', gray_prob),
                           ('flip_prob', flip_prob)):
            if not isinstance(prob, numbers.Number) or not 0 <= prob <= 1:
                raise ValueError(f'{name}={prob!r}: must be in [0, 1]')
        self.gray_prob = float(gray_prob)
        self.flip_prob = float(flip_prob)
        self.jitter_ranges = _check_jitter(color_jitter)
        if interpolation not in frame_ops.INTERPOLATIONS:
            raise ValueError(f'interpolation={interpolation!r}: use one of '
                             f'{sorted(frame_ops.INTERPOLATIONS)}')
        self.interpolation = interpolation

    def draw_params(self, height: int, width: int) -> Dict:
        """Draw one window's parameters (numpy's global RNG).

        Args:
            height (int): Decoded frame height.
            width (int): Decoded frame width.

        Returns:
            dict: ``crop``, ``gray``, ``jitter``, ``flip`` as in the class
            docstring.
        """
        crop = frame_ops.random_resized_crop_box(
            height, width, self.area_range, self.aspect_ratio_range)
        gray = bool(np.random.rand() < self.gray_prob)
        jitter = [(key, float(np.random.uniform(*self.jitter_ranges[key])))
                  for key in _JITTER_KEYS if key in self.jitter_ranges]
        jitter = [jitter[i] for i in np.random.permutation(len(jitter))]
        flip = bool(np.random.rand() < self.flip_prob)
        return dict(crop=crop, gray=gray, jitter=jitter, flip=flip)

    def augment(self, frames: np.ndarray, rows: np.ndarray,
                params: Dict) -> np.ndarray:
        """Apply one window's parameters to the frames ``rows``.

        Args:
            frames (np.ndarray): (N, H, W, 3) uint8 decoded frames.
            rows (np.ndarray): (n,) the window's rows of ``frames``.
            params (dict): From :meth:`draw_params`.

        Returns:
            np.ndarray: (n, size, size, 3) uint8.
        """
        out = frame_ops.crop_resize(frames, rows, params['crop'],
                                    (self.size, self.size),
                                    self.interpolation)
        if params['gray']:
            out = frame_ops.to_grayscale(out)
        for key, factor in params['jitter']:
            if params['gray'] and key in ('saturation', 'hue'):
                continue  # no effect on a gray image
            out = _JITTER_OPS[key](out, factor)
        if params['flip']:
            out = frame_ops.hflip(out)
        return out

    def transform(self, results: Dict) -> Dict:
        """Augment both windows.

        Args:
            results (dict): Needs ``imgs`` and ``view_rows``.

        Returns:
            dict: ``results`` with the keys listed in the class docstring.
        """
        frames, view_rows = results['imgs'], np.asarray(results['view_rows'])
        if frames.ndim != 4 or frames.shape[-1] != 3:
            raise ValueError(
                f'PerWindowAugment needs imgs of shape (n, H, W, 3), got '
                f'{frames.shape}; put RelativeSpeedSampler before it')
        windows: List[np.ndarray] = []
        params_list: List[Dict] = []
        local_rows = np.empty_like(view_rows)
        for window in (0, 1):
            views = [v for v, w in enumerate(VIEW_WINDOWS) if w == window]
            rows = np.unique(view_rows[views])
            for view in views:
                local_rows[view] = np.searchsorted(rows, view_rows[view])
            params = self.draw_params(*frames.shape[1:3])
            windows.append(self.augment(frames, rows, params))
            params_list.append(params)
        del results['imgs']
        results['windows'] = windows
        results['window_view_rows'] = local_rows
        results['aug_params'] = params_list
        results['img_shape'] = (self.size, self.size)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(size={self.size}, '
                f'area_range={self.area_range}, '
                f'aspect_ratio_range={self.aspect_ratio_range}, '
                f'gray_prob={self.gray_prob}, '
                f'jitter_ranges={self.jitter_ranges}, '
                f'flip_prob={self.flip_prob}, '
                f'interpolation={self.interpolation!r})')


@TRANSFORMS.register_module()
class SpeedWindowAugment(PerWindowAugment):
    """Deprecated alias of :class:`PerWindowAugment` (the old, misleading
    name: it augments each window on its own and has nothing to do with
    speed). Kept for one release; building it warns once per process.
    """

    _warned = False

    def __init__(self, *args, **kwargs) -> None:
        if not SpeedWindowAugment._warned:
            SpeedWindowAugment._warned = True
            warnings.warn(
                'SpeedWindowAugment is renamed PerWindowAugment (same '
                "arguments); write dict(type='PerWindowAugment', ...) in "
                'your config: the old name goes in the next release',
                DeprecationWarning, stacklevel=2)
        super().__init__(*args, **kwargs)
