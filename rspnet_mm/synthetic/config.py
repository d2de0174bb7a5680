"""Options of a synthetic motion data set: the motion kinds, appearance
attributes and speed bands, and :class:`SyntheticMotionConfig`, which checks
them (a clip sub-sampled by the RSPNet sampler must neither alias nor look
like a clip of another speed band)."""
from __future__ import annotations

import dataclasses
import math
import numbers
from typing import Any

MOTION_KINDS = ('translate', 'orbit', 'spin', 'oscillate', 'zoom_pulse')
SHAPES = ('disc', 'square', 'triangle', 'star', 'cross')
COLOURS = {
    'red': (230, 45, 45),
    'green': (45, 200, 65),
    'blue': (55, 105, 245),
    'yellow': (240, 220, 45),
    'magenta': (225, 60, 225),
    'cyan': (45, 215, 230),
}
TEXTURES = ('solid', 'stripes', 'checker', 'noise')
BACKGROUNDS = ('solid', 'gradient', 'noise', 'checker')
APPEARANCE = {
    'shape': SHAPES,
    'colour': tuple(COLOURS),
    'texture': TEXTURES,
    'background': BACKGROUNDS,
}
LABEL_OPTIONS = ('kind_speed', 'kind', 'speed') + tuple(APPEARANCE)

# Centre speed of the slowest band: fraction of the frame size per frame
# (translate) or radians per frame (a period of 96 frames).
BASE_SPEED = {
    'translate': 0.012,
    'orbit': 2 * math.pi / 96,
    'spin': 2 * math.pi / 96,
    'oscillate': 2 * math.pi / 96,
    'zoom_pulse': 2 * math.pi / 96,
}
# Largest step per *sub-sampled* frame: a translation of 0.3 frame sizes, or
# a quarter period (4 sampled frames per period) for the periodic kinds.
MAX_STEP = {
    'translate': 0.3,
    'orbit': math.pi / 2,
    'spin': math.pi / 2,
    'oscillate': math.pi / 2,
    'zoom_pulse': math.pi / 2,
}
SPEED_UNITS = {kind: 'rad/frame' for kind in MOTION_KINDS}
SPEED_UNITS['translate'] = 'px/frame'



@dataclasses.dataclass(frozen=True)
class SyntheticMotionConfig:
    """Options of a synthetic motion data set, checked on construction.

    Args:
        n_clips: Number of clips in total (train + val).
        val_fraction: Share of clips in the val split, in [0, 1); rounded,
            at least 1 clip when positive and never all clips. The split
            is stratified by motion class (kind x speed band).
        size: Frame height and width in pixels (even, at least 16).
        min_frames: Shortest clip, in frames.
        max_frames: Longest clip, in frames; each clip's length is drawn
            uniformly in [min_frames, max_frames].
        fps: Frame rate written into the mp4 files.
        seed: Seed of everything random; the same seed gives the same
            metadata and the same frames.
        speed_bands: Number of speed bands per motion kind.
        speed_ratio: Speed ratio between neighbouring bands.
        speed_scale: Factor on ``BASE_SPEED`` for every kind (e.g. 3 to
            make motion visible at very small frame sizes).
        speed_jitter: Largest per-clip speed factor (and its inverse)
            around the band centre, drawn log-uniformly.
        kinds: Motion kinds to use (a subset of ``MOTION_KINDS``).
        label_by: Label written to the top-level lists: one of
            ``LABEL_OPTIONS``.
        rspnet_window: Frames of one RSPNet sampling window (clip_len x
            largest speed = 16 x 2); every clip must hold two of them.
            0 turns the check off (e.g. for tiny test clips).
        max_subsample: Largest temporal sub-sampling the clips must
            survive: the fastest band sub-sampled by it may not alias, and
            a band sub-sampled by it may not reach the next band's speed.
        camera_pan: Largest camera speed in px per frame at the labelled
            sprite's depth (each clip draws its own, uniformly from 0);
            the camera drifts along a smooth path and nearer layers move
            more (parallax, :mod:`.effects`). 0 (default): a still camera.
        lighting: Brightness swing over a clip, a fraction in [0, 1).
            0 (default): constant lighting.
        occluders: Bars in front of the scene (still unless the camera
            moves). Defaults to 0.
        texture: Strength in [0, 1) of a multi-scale noise texture on the
            background (brightness x 1 +- texture). 0 (default): plain.
        distractors: Other objects drifting at their own speeds, behind
            and in front of the labelled sprite. Defaults to 0.
        motion_blur: Shutter in [0, 1) as a fraction of the frame
            interval; moving things smear over it. 0 (default): sharp.
    """

    n_clips: int = 200
    val_fraction: float = 0.2
    size: int = 112
    min_frames: int = 64
    max_frames: int = 96
    fps: float = 25.0
    seed: int = 0
    speed_bands: int = 2
    speed_ratio: float = 3.0
    speed_scale: float = 1.0
    speed_jitter: float = 1.2
    kinds: tuple[str, ...] = MOTION_KINDS
    label_by: str = 'kind_speed'
    rspnet_window: int = 32
    max_subsample: int = 2
    camera_pan: float = 0.0
    lighting: float = 0.0
    occluders: int = 0
    texture: float = 0.0
    distractors: int = 0
    motion_blur: float = 0.0

    def __post_init__(self) -> None:
        if isinstance(self.kinds, str):
            _fail('kinds', self.kinds, 'a single string, not a sequence',
                  f'pass a tuple such as ({self.kinds!r},)')
        object.__setattr__(self, 'kinds', tuple(self.kinds))
        _check_config(self)
        for field in dataclasses.fields(self):  # plain int/float for JSON
            if field.type in ('int', 'float'):
                value = getattr(self, field.name)
                cast = int if field.type == 'int' else float
                object.__setattr__(self, field.name, cast(value))

    @property
    def band_names(self) -> list[str]:
        """Names of the speed bands, slowest first."""
        if self.speed_bands == 1:
            return ['single']
        if self.speed_bands == 2:
            return ['slow', 'fast']
        if self.speed_bands == 3:
            return ['slow', 'medium', 'fast']
        return [f'speed{b}' for b in range(self.speed_bands)]

    def class_names(self, label_by: str | None = None) -> list[str]:
        """Class names in label order for a label option.

        Args:
            label_by: One of ``LABEL_OPTIONS``; defaults to ``label_by``.

        Returns:
            list[str]: Name of class ``i`` at index ``i``.
        """
        label_by = self.label_by if label_by is None else label_by
        _check_label_by(label_by)
        if label_by == 'kind_speed':
            return [f'{kind}_{band}' for kind in self.kinds
                    for band in self.band_names]
        if label_by == 'kind':
            return list(self.kinds)
        if label_by == 'speed':
            return self.band_names
        return list(APPEARANCE[label_by])

    def band_speed(self, kind: str, band: int) -> float:
        """Centre speed of a band, in ``SPEED_UNITS[kind]``."""
        speed = BASE_SPEED[kind] * self.speed_scale * self.speed_ratio**band
        return speed * self.size if kind == 'translate' else speed

    def to_dict(self) -> dict[str, Any]:
        """The options as a JSON-ready dict."""
        out = dataclasses.asdict(self)
        out['kinds'] = list(self.kinds)
        return out


def _fail(option: str, value: Any, problem: str, fix: str) -> None:
    raise ValueError(f'synthetic motion option {option}={value!r}: '
                     f'{problem}; {fix}')


def _check_label_by(label_by: str) -> None:
    if label_by not in LABEL_OPTIONS:
        _fail('label_by', label_by, 'unknown label option',
              f'use one of {", ".join(LABEL_OPTIONS)}')


def _check_config(cfg: SyntheticMotionConfig) -> None:
    """Raise ValueError naming the first bad option and how to fix it."""
    for name in ('n_clips', 'size', 'min_frames', 'max_frames', 'seed',
                 'speed_bands', 'rspnet_window', 'max_subsample',
                 'occluders', 'distractors'):
        value = getattr(cfg, name)
        if isinstance(value, bool) or not isinstance(value,
                                                     numbers.Integral):
            _fail(name, value, 'must be an integer', 'pass a whole number')
    for name in ('val_fraction', 'fps', 'speed_ratio', 'speed_scale',
                 'speed_jitter', 'camera_pan', 'lighting', 'texture',
                 'motion_blur'):
        value = getattr(cfg, name)
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            _fail(name, value, 'must be a number', 'pass e.g. 0.2 or 3')
    if cfg.n_clips < 1:
        _fail('n_clips', cfg.n_clips, 'no clips to write',
              'ask for at least 1 clip')
    if not 0 <= cfg.val_fraction < 1:
        _fail('val_fraction', cfg.val_fraction, 'must be in [0, 1)',
              'e.g. 0.2 puts a fifth of the clips in val')
    if cfg.size < 16 or cfg.size % 2:
        _fail('size', cfg.size, 'must be even and at least 16 px '
              '(mp4v drops an odd last row/column)', 'e.g. use 32, 64, 112')
    if cfg.min_frames < 2:
        _fail('min_frames', cfg.min_frames, 'a clip needs 2+ frames',
              'raise min_frames')
    if cfg.max_frames < cfg.min_frames:
        _fail('max_frames', cfg.max_frames,
              f'shorter than min_frames={cfg.min_frames}',
              'set max_frames >= min_frames')
    if cfg.rspnet_window < 0:
        _fail('rspnet_window', cfg.rspnet_window, 'must be >= 0',
              'use 32 (16 frames x speed 2) or 0 to skip the check')
    if cfg.rspnet_window and cfg.min_frames < 2 * cfg.rspnet_window:
        _fail('min_frames', cfg.min_frames,
              f'shorter than two RSPNet windows of {cfg.rspnet_window} '
              f'frames ({2 * cfg.rspnet_window})',
              f'raise min_frames to at least {2 * cfg.rspnet_window} or '
              'set rspnet_window to 0 to allow shorter clips')
    if not cfg.fps > 0:
        _fail('fps', cfg.fps, 'must be positive', 'e.g. 25')
    if cfg.seed < 0:
        _fail('seed', cfg.seed, 'must be >= 0', 'pass a non-negative seed')
    if not cfg.kinds:
        _fail('kinds', cfg.kinds, 'no motion kind', 'name at least one of '
              + ', '.join(MOTION_KINDS))
    for kind in cfg.kinds:
        if kind not in MOTION_KINDS:
            _fail('kinds', cfg.kinds, f'unknown motion kind {kind!r}',
                  'use ' + ', '.join(MOTION_KINDS))
    if len(set(cfg.kinds)) != len(cfg.kinds):
        _fail('kinds', cfg.kinds, 'a kind is named twice',
              'name each kind once')
    for name in ('camera_pan', 'occluders', 'distractors'):
        if getattr(cfg, name) < 0:
            _fail(name, getattr(cfg, name), 'must be >= 0',
                  'use 0 to switch the effect off')
    for name, example in (('lighting', 'e.g. 0.3 for +-30% of brightness'),
                          ('texture', 'e.g. 0.3 for +-30% of brightness'),
                          ('motion_blur', 'e.g. 0.5 for a half-open '
                           'shutter')):
        if not 0 <= getattr(cfg, name) < 1:
            _fail(name, getattr(cfg, name), 'must be in [0, 1)', example)
    _check_label_by(cfg.label_by)
    _check_speeds(cfg)


def _check_speeds(cfg: SyntheticMotionConfig) -> None:
    if cfg.speed_bands < 1:
        _fail('speed_bands', cfg.speed_bands, 'must be >= 1', 'e.g. 2')
    if cfg.max_subsample < 1:
        _fail('max_subsample', cfg.max_subsample, 'must be >= 1',
              'use 2 for RSPNet speeds {1x, 2x}')
    if not cfg.speed_scale > 0:
        _fail('speed_scale', cfg.speed_scale, 'must be > 0', 'e.g. 1 or 3')
    if not cfg.speed_jitter >= 1:
        _fail('speed_jitter', cfg.speed_jitter, 'must be >= 1',
              'use 1 for no jitter, e.g. 1.2')
    if cfg.speed_bands > 1:
        # Band b sub-sampled by max_subsample must stay below band b + 1.
        least = cfg.max_subsample * cfg.speed_jitter**2
        if not cfg.speed_ratio > least:
            _fail('speed_ratio', cfg.speed_ratio,
                  f'a band sub-sampled {cfg.max_subsample}x would move as '
                  f'fast as the next band (speed_jitter='
                  f'{cfg.speed_jitter})',
                  f'use speed_ratio > max_subsample x speed_jitter^2 = '
                  f'{least:.3g} or lower speed_jitter')
    for kind in cfg.kinds:
        fastest = (BASE_SPEED[kind] * cfg.speed_scale *
                   cfg.speed_ratio**(cfg.speed_bands - 1))
        step = fastest * cfg.speed_jitter * cfg.max_subsample
        if step > MAX_STEP[kind]:
            _fail('speed_bands', cfg.speed_bands,
                  f'the fastest {kind} band sub-sampled '
                  f'{cfg.max_subsample}x moves {step:.3g} '
                  f'{"frame sizes" if kind == "translate" else "rad"} per '
                  f'frame (max {MAX_STEP[kind]:.3g}) and would alias',
                  'use fewer speed bands, a smaller speed_ratio or a '
                  'smaller speed_scale')
