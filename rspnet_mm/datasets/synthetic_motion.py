"""Synthetic motion videos: labelled clips whose classes depend on motion.

Each clip shows one textured sprite on a static background. The sprite is
moved by one *motion kind* (translate, orbit, spin, oscillate, zoom pulse) at
one *speed band* (slow, fast, ...), while its appearance (shape, colour,
texture) and the background are drawn at random per clip, independently of
the motion. A representation must therefore capture motion to tell the
motion classes apart, and the appearance attributes give control probes.

Speeds. The slowest band of each kind moves at ``BASE_SPEED[kind]`` (a
fraction of the frame size per frame for ``translate``, radians per frame for
the others); band ``b`` moves ``speed_ratio ** b`` times faster, with a
log-uniform per-clip jitter of at most ``speed_jitter`` either way. The
options are checked so that a clip sub-sampled by the RSPNet sampler (1x or
``max_subsample`` x) neither aliases nor looks like a clip of another band.

Output layout of :func:`generate_dataset` (``out_dir``)::

    videos/train/clip_000000.mp4 ...   videos/val/clip_000007.mp4 ...
    train_list.txt, val_list.txt       ``relative/path.mp4 label`` lines,
                                       paths relative to ``videos/``
    classes.txt                        class names in label order
    labels/<label_by>/{train_list,val_list,classes}.txt   for every label
    metadata.jsonl                     one JSON record per clip
    generation.json                    the options and the class names

Frames are RGB ``uint8`` arrays of shape (T, H, W, 3) in memory; the mp4
files (OpenCV ``mp4v``) decode with decord to the same frame count and size.
"""
from __future__ import annotations

import dataclasses
import json
import math
import multiprocessing
import numbers
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import cv2
import numpy as np
from tqdm import tqdm

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

_SPRITE_RADIUS = (0.12, 0.16)  # fraction of the frame size
_ZOOM_AMPLITUDE = 0.35  # the scale swings in [1 - a, 1 + a]
_DARK = 0.45  # brightness of the dark half of a sprite texture
_MARKER = (0.55, 0.14)  # offset and radius of the orientation dot, x R
_SPLITS = ('train', 'val')


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
                 'speed_bands', 'rspnet_window', 'max_subsample'):
        value = getattr(cfg, name)
        if isinstance(value, bool) or not isinstance(value,
                                                     numbers.Integral):
            _fail(name, value, 'must be an integer', 'pass a whole number')
    for name in ('val_fraction', 'fps', 'speed_ratio', 'speed_scale',
                 'speed_jitter'):
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


def make_clip_specs(cfg: SyntheticMotionConfig) -> list[dict[str, Any]]:
    """Draw the attributes of every clip (no rendering).

    Motion classes (kind x band) are balanced; appearance attributes are
    drawn uniformly and independently of the motion.

    Args:
        cfg: Data set options.

    Returns:
        list[dict]: One JSON-ready spec per clip, in index order, with keys
        ``index, path, split, kind, speed_band, speed_name, speed,
        speed_unit, shape, colour, texture, background, n_frames, size,
        fps, seed, labels`` (``labels`` maps every label option to the
        clip's class index). ``path`` is relative to ``videos/``.
    """
    rng = np.random.default_rng(cfg.seed)
    motions = [(kind, band) for kind in cfg.kinds
               for band in range(cfg.speed_bands)]
    motion_of = np.resize(np.arange(len(motions)), cfg.n_clips)
    rng.shuffle(motion_of)
    is_val = _stratified_val(motion_of, cfg.val_fraction)
    log_jitter = math.log(cfg.speed_jitter)
    specs = []
    for index in range(cfg.n_clips):
        kind, band = motions[motion_of[index]]
        split = 'val' if is_val[index] else 'train'
        jitter = math.exp(rng.uniform(-log_jitter, log_jitter))
        spec = {
            'index': index,
            'path': f'{split}/clip_{index:06d}.mp4',
            'split': split,
            'kind': kind,
            'speed_band': band,
            'speed_name': cfg.band_names[band],
            'speed': cfg.band_speed(kind, band) * jitter,
            'speed_unit': SPEED_UNITS[kind],
        }
        for attr, values in APPEARANCE.items():
            spec[attr] = values[rng.integers(len(values))]
        spec['n_frames'] = int(rng.integers(cfg.min_frames,
                                            cfg.max_frames + 1))
        spec.update(size=cfg.size, fps=cfg.fps,
                    seed=int(rng.integers(2**31 - 1)))
        spec['labels'] = _labels(cfg, spec)
        specs.append(spec)
    return specs


def _stratified_val(motion_of: np.ndarray, val_fraction: float) -> list:
    """Mark clips as val, taking classes in turn so val stays balanced."""
    n = len(motion_of)
    # at least one val clip when asked for, and always one train clip
    n_val = 0 if val_fraction == 0 else max(1, round(n * val_fraction))
    n_val = min(n_val, n - 1)
    rank = np.zeros(n, dtype=np.int64)
    seen: dict[int, int] = {}
    for i, motion in enumerate(motion_of.tolist()):
        rank[i] = seen.get(motion, 0)
        seen[motion] = rank[i] + 1
    order = np.lexsort((motion_of, rank))  # round robin over classes
    is_val = np.zeros(n, dtype=bool)
    is_val[order[:n_val]] = True
    return is_val.tolist()


def _labels(cfg: SyntheticMotionConfig, spec: dict) -> dict[str, int]:
    kind_index = cfg.kinds.index(spec['kind'])
    labels = {
        'kind_speed': kind_index * cfg.speed_bands + spec['speed_band'],
        'kind': kind_index,
        'speed': spec['speed_band'],
    }
    for attr, values in APPEARANCE.items():
        labels[attr] = values.index(spec[attr])
    return labels


def clip_layout(spec: dict[str, Any]) -> dict[str, Any]:
    """Geometry and colours of a clip, drawn from ``spec['seed']``.

    Args:
        spec: A clip spec from :func:`make_clip_specs`.

    Returns:
        dict: JSON-ready values: ``sprite_radius`` (px), ``angle`` (rad,
        sprite orientation), ``turn`` (+1/-1, direction of orbit/spin),
        ``heading`` (rad, direction of translate/oscillate), ``centre``
        ([x, y] px: start of translate, centre of the other motions),
        ``reach`` (px: orbit radius or oscillation amplitude), ``phase``
        (rad), ``background_colours`` (two RGB triples), ``pattern_angle``
        (rad) and ``pattern_period`` (px) of the background.
    """
    rng = np.random.default_rng([spec['seed'], 0])
    size = spec['size']
    radius = size * rng.uniform(*_SPRITE_RADIUS)
    heading = rng.uniform(0, 2 * math.pi)
    reach = size * rng.uniform(0.2, 0.28)
    margin = radius * (1 + _ZOOM_AMPLITUDE * (spec['kind'] == 'zoom_pulse'))
    if spec['kind'] == 'orbit':
        extent = np.full(2, reach + radius)
    elif spec['kind'] == 'oscillate':
        extent = reach * np.abs([math.cos(heading), math.sin(heading)])
        extent += radius
    else:
        extent = np.full(2, margin)
    slack = np.maximum(size / 2 - extent, 0)
    centre = size / 2 + rng.uniform(-1, 1, 2) * slack
    dark = rng.uniform(10, 90, 3)
    light = dark + rng.uniform(30, 70, 3)
    colours = [dark, light] if rng.random() < 0.5 else [light, dark]
    return {
        'sprite_radius': float(radius),
        'angle': float(rng.uniform(0, 2 * math.pi)),
        'turn': int(rng.choice([-1, 1])),
        'heading': float(heading),
        'centre': [float(c) for c in centre],
        'reach': float(reach),
        'phase': float(rng.uniform(0, 2 * math.pi)),
        'background_colours': [[round(float(v), 2) for v in c]
                               for c in colours],
        'pattern_angle': float(rng.uniform(0, 2 * math.pi)),
        'pattern_period': float(size * rng.uniform(1 / 8, 1 / 4)),
    }


def sprite_track(spec: dict[str, Any],
                 layout: dict[str, Any] | None = None) -> np.ndarray:
    """Sprite pose per frame.

    Args:
        spec: A clip spec from :func:`make_clip_specs`.
        layout: Its :func:`clip_layout` (computed when omitted).

    Returns:
        np.ndarray: (T, 4) float64 rows ``x, y, angle, scale``: centre in
        px, orientation in rad, size factor.
    """
    layout = clip_layout(spec) if layout is None else layout
    t = np.arange(spec['n_frames'], dtype=np.float64)
    kind, speed, size = spec['kind'], spec['speed'], spec['size']
    x0, y0 = layout['centre']
    head = layout['heading']
    direction = np.array([math.cos(head), math.sin(head)])
    xy = np.tile([x0, y0], (len(t), 1))
    angle = np.full_like(t, layout['angle'])
    scale = np.ones_like(t)
    if kind == 'translate':
        lo, hi = layout['sprite_radius'], size - layout['sprite_radius']
        xy = _bounce(xy + speed * t[:, None] * direction, lo, hi)
    elif kind == 'orbit':
        phi = layout['phase'] + layout['turn'] * speed * t
        xy = xy + layout['reach'] * np.stack([np.cos(phi), np.sin(phi)], 1)
    elif kind == 'spin':
        angle = angle + layout['turn'] * speed * t
    elif kind == 'oscillate':
        swing = layout['reach'] * np.sin(speed * t + layout['phase'])
        xy = xy + swing[:, None] * direction
    else:  # zoom_pulse
        scale = 1 + _ZOOM_AMPLITUDE * np.sin(speed * t + layout['phase'])
    return np.column_stack([xy, angle, scale])


def _bounce(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Fold positions into [lo, hi] as a ball bouncing off the walls."""
    span = hi - lo
    y = np.mod(x - lo, 2 * span)
    return lo + np.where(y > span, 2 * span - y, y)


def render_clip(spec: dict[str, Any]) -> np.ndarray:
    """Render one clip in memory.

    Args:
        spec: A clip spec from :func:`make_clip_specs` (only ``kind,
            speed, shape, colour, texture, background, n_frames, size,
            seed`` are read).

    Returns:
        np.ndarray: (T, H, W, 3) uint8 RGB frames, T = ``n_frames``,
        H = W = ``size``.
    """
    frames = np.empty((spec['n_frames'], spec['size'], spec['size'], 3),
                      np.uint8)
    for t, frame in enumerate(iter_frames(spec)):
        frames[t] = frame
    return frames


def iter_frames(spec: dict[str, Any]) -> Iterator[np.ndarray]:
    """Render one clip frame by frame (what :func:`render_clip` stacks).

    Args:
        spec: A clip spec from :func:`make_clip_specs`.

    Yields:
        np.ndarray: (H, W, 3) uint8 RGB frame, a new array each time.
    """
    layout = clip_layout(spec)
    rng = np.random.default_rng([spec['seed'], 1])
    size = spec['size']
    background = _background(spec['background'], size, layout, rng)
    sprite = _sprite(spec, layout['sprite_radius'], rng)
    base = np.clip(background + 0.5, 0, 255).astype(np.uint8)
    centre = (np.array(sprite.shape[:2][::-1], np.float64) - 1) / 2
    half_diagonal = math.hypot(*sprite.shape[:2]) / 2
    for x, y, angle, scale in sprite_track(spec, layout):
        frame = base.copy()
        # only the sprite's bounding box is warped and composited
        reach = half_diagonal * scale + 1
        x0, y0 = max(math.floor(x - reach), 0), max(math.floor(y - reach), 0)
        x1 = min(math.ceil(x + reach), size)
        y1 = min(math.ceil(y + reach), size)
        cos, sin = scale * math.cos(angle), scale * math.sin(angle)
        matrix = np.array([
            [cos, -sin, x - x0 - cos * centre[0] + sin * centre[1]],
            [sin, cos, y - y0 - sin * centre[0] - cos * centre[1]],
        ])
        layer = cv2.warpAffine(sprite, matrix, (x1 - x0, y1 - y0),
                               flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT)
        # premultiplied alpha: rgb already carries the sprite's coverage
        box = background[y0:y1, x0:x1] * (1 - layer[..., 3:])
        box += layer[..., :3] + 0.5
        frame[y0:y1, x0:x1] = box  # in [0, 255] by construction
        yield frame


def _background(kind: str, size: int, layout: dict,
                rng: np.random.Generator) -> np.ndarray:
    """(size, size, 3) float32 RGB background."""
    first, second = (np.array(c, np.float32)
                     for c in layout['background_colours'])
    if kind == 'solid':
        weight = np.zeros((size, size), np.float32)
    elif kind == 'noise':
        weight = _smooth_noise(rng, size, 5)
    else:
        u = _rotated_axis(size, layout['pattern_angle'], (size - 1) / 2)
        if kind == 'gradient':
            weight = (u - u.min()) / (u.max() - u.min())
        else:  # checker
            v = _rotated_axis(size, layout['pattern_angle'] + math.pi / 2,
                              (size - 1) / 2)
            period = layout['pattern_period']
            weight = (np.floor(u / period) + np.floor(v / period)) % 2
    weight = weight.astype(np.float32)[..., None]
    return first * (1 - weight) + second * weight


def _rotated_axis(n: int, angle: float, origin: float) -> np.ndarray:
    """(n, n) coordinate along direction ``angle`` from pixel ``origin``."""
    grid = np.arange(n, dtype=np.float32) - origin
    return grid[None, :] * math.cos(angle) + grid[:, None] * math.sin(angle)


def _smooth_noise(rng: np.random.Generator, size: int,
                  cells: int) -> np.ndarray:
    """(size, size) float32 smooth noise in [0, 1]."""
    coarse = rng.random((cells, cells)).astype(np.float32)
    fine = cv2.resize(coarse, (size, size), interpolation=cv2.INTER_CUBIC)
    return np.clip(fine, 0, 1)


def _sprite(spec: dict, radius: float,
            rng: np.random.Generator) -> np.ndarray:
    """(n, n, 4) float32 premultiplied RGBA sprite pointing along +x."""
    n = 2 * math.ceil(radius) + 5
    mid = (n - 1) / 2
    mask = np.zeros((n, n), np.uint8)
    _draw_shape(mask, spec['shape'], mid, radius)
    colour = np.array(COLOURS[spec['colour']], np.float32)
    shade = _texture(spec['texture'], n, mid, radius, rng)
    rgb = colour * shade[..., None]
    marker = np.zeros((n, n), np.uint8)
    dot = (_MARKER[0] * radius + mid, mid)
    _draw_disc(marker, dot, max(_MARKER[1] * radius, 1.0))
    on_dot = marker.astype(np.float32)[..., None] / 255
    rgb = rgb * (1 - on_dot) + 0.25 * colour * on_dot
    alpha = mask.astype(np.float32)[..., None] / 255
    return np.concatenate([rgb * alpha, alpha], axis=2)


_SUBPIXEL = 4  # fractional bits of cv2 drawing coordinates


def _draw_disc(img: np.ndarray, centre: tuple, radius: float) -> None:
    scale = 1 << _SUBPIXEL
    cv2.circle(img, (round(centre[0] * scale), round(centre[1] * scale)),
               round(radius * scale), 255, thickness=-1,
               lineType=cv2.LINE_AA, shift=_SUBPIXEL)


def _draw_shape(mask: np.ndarray, shape: str, mid: float,
                radius: float) -> None:
    """Fill ``shape`` of circumradius ``radius`` centred at (mid, mid)."""
    if shape == 'disc':
        _draw_disc(mask, (mid, mid), radius)
        return
    if shape == 'cross':
        arm, half = radius, 0.32 * radius
        arm_end = np.array([(arm, -half), (arm, half), (half, half)])
        points = np.concatenate([arm_end @ _quarter_turn(q).T
                                 for q in range(4)])
    else:
        corners, inner = {'square': (4, None), 'triangle': (3, None),
                          'star': (5, 0.45)}[shape]
        offset = math.pi / 4 if shape == 'square' else 0.0
        steps = 2 * corners if inner else corners
        ang = offset + np.arange(steps) * 2 * math.pi / steps
        rad = np.full(steps, radius)
        if inner:
            rad[1::2] *= inner
        points = np.stack([rad * np.cos(ang), rad * np.sin(ang)], 1)
    scaled = np.round((points + mid) * (1 << _SUBPIXEL)).astype(np.int32)
    cv2.fillPoly(mask, [scaled], 255, lineType=cv2.LINE_AA,
                 shift=_SUBPIXEL)


def _quarter_turn(quarters: int) -> np.ndarray:
    """(2, 2) rotation matrix by ``quarters`` x 90 degrees."""
    c, s = [(1, 0), (0, 1), (-1, 0), (0, -1)][quarters % 4]
    return np.array([[c, -s], [s, c]], np.float64)


def _texture(kind: str, n: int, mid: float, radius: float,
             rng: np.random.Generator) -> np.ndarray:
    """(n, n) float32 brightness factor of the sprite colour, in (0, 1]."""
    if kind == 'solid':
        return np.ones((n, n), np.float32)
    if kind == 'noise':
        return _DARK + (1 - _DARK) * _smooth_noise(rng, n, 4)
    angle = rng.uniform(0, math.pi)
    period = max(rng.uniform(0.4, 0.6) * radius, 3.0)
    u = _rotated_axis(n, angle, mid)
    cells = np.floor(u / period)
    if kind == 'checker':
        cells += np.floor(_rotated_axis(n, angle + math.pi / 2, mid) / period)
    return np.where(cells % 2 == 0, 1.0, _DARK).astype(np.float32)


def write_clip(frames: Iterable[np.ndarray], path: str | Path,
               fps: float) -> None:
    """Write RGB frames as an mp4 (OpenCV ``mp4v``, no ffmpeg binary).

    Args:
        frames: (T, H, W, 3) uint8 RGB frames, or an iterable of
            (H, W, 3) frames (e.g. :func:`iter_frames`).
        path: Output ``.mp4`` file; its folder must exist.
        fps: Frame rate.
    """
    frames = iter(frames)
    first = next(frames, None)
    if first is None:
        raise ValueError(f'no frames to write to {path}')
    height, width = first.shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'mp4v'),
                             float(fps), (width, height))
    if not writer.isOpened():
        raise OSError(f'OpenCV cannot open {path} for writing an mp4v '
                      'video; check that the folder exists and is writable')
    try:
        writer.write(cv2.cvtColor(first, cv2.COLOR_RGB2BGR))
        for frame in frames:
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    finally:
        writer.release()


def _render_and_write(job: tuple[dict, str]) -> None:
    spec, path = job
    write_clip(iter_frames(spec), path, spec['fps'])


def generate_dataset(cfg: SyntheticMotionConfig,
                     out_dir: str | Path,
                     workers: int = 0,
                     progress: bool = False) -> list[dict[str, Any]]:
    """Render every clip and write the lists, classes and metadata.

    Args:
        cfg: Data set options.
        out_dir: Output folder (created; files of an earlier run with the
            same names are overwritten).
        workers: Worker processes rendering clips; 0 or 1 renders in this
            process.
        progress: Show a tqdm progress bar.

    Returns:
        list[dict]: The metadata records written to ``metadata.jsonl``:
        each clip spec plus its ``layout``.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) \
            or workers < 0:
        _fail('workers', workers, 'must be an integer >= 0',
              'use 0 to render in this process')
    out_dir = Path(out_dir)
    specs = make_clip_specs(cfg)
    for split in _SPLITS:
        (out_dir / 'videos' / split).mkdir(parents=True, exist_ok=True)
    jobs = [(spec, str(out_dir / 'videos' / spec['path']))
            for spec in specs]
    bar = tqdm(total=len(jobs), unit='clip', desc='synthetic motion',
               disable=not progress)
    if workers > 1:
        with multiprocessing.Pool(workers) as pool:
            for _ in pool.imap_unordered(_render_and_write, jobs):
                bar.update(1)
    else:
        for job in jobs:
            _render_and_write(job)
            bar.update(1)
    bar.close()
    records = [dict(spec, layout=clip_layout(spec)) for spec in specs]
    with open(out_dir / 'metadata.jsonl', 'w') as f:
        for record in records:
            f.write(json.dumps(record) + '\n')
    classes = {label: cfg.class_names(label) for label in LABEL_OPTIONS}
    with open(out_dir / 'generation.json', 'w') as f:
        json.dump({'config': cfg.to_dict(), 'classes': classes}, f,
                  indent=2)
    write_annotation_lists(records, out_dir, cfg.label_by,
                           classes[cfg.label_by])
    for label in LABEL_OPTIONS:
        write_annotation_lists(records, out_dir / 'labels' / label, label,
                               classes[label])
    return records


def write_annotation_lists(records: Iterable[dict[str, Any]],
                           out_dir: str | Path,
                           label_by: str,
                           class_names: Sequence[str]) -> None:
    """Write MMAction2 ``VideoDataset`` lists and ``classes.txt``.

    Args:
        records: Clip specs or metadata records (with ``labels``).
        out_dir: Folder for ``train_list.txt``, ``val_list.txt`` and
            ``classes.txt`` (created).
        label_by: Label option whose class index ends each line.
        class_names: Names in label order, written to ``classes.txt``.
    """
    _check_label_by(label_by)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    lines: dict[str, list[str]] = {split: [] for split in _SPLITS}
    for record in records:
        label = record['labels'][label_by]
        if not 0 <= label < len(class_names):
            raise ValueError(f'clip {record["path"]}: {label_by} label '
                             f'{label} is outside the {len(class_names)} '
                             'class names; regenerate the metadata')
        lines[record['split']].append(f'{record["path"]} {label}\n')
    for split in _SPLITS:
        (out_dir / f'{split}_list.txt').write_text(''.join(lines[split]))
    (out_dir / 'classes.txt').write_text(
        ''.join(f'{name}\n' for name in class_names))


def load_metadata(out_dir: str | Path) -> list[dict[str, Any]]:
    """Read ``metadata.jsonl`` written by :func:`generate_dataset`."""
    path = Path(out_dir) / 'metadata.jsonl'
    if not path.is_file():
        raise FileNotFoundError(f'{path} not found; generate the data set '
                                'with tools/data/generate_synthetic_motion.py')
    records = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise ValueError(f'{path}:{number}: not a JSON record '
                                 f'({err}); regenerate the data set') from err
    return records
