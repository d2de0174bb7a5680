"""What each clip shows, without rendering: the balanced clip specs (motion
class, speed, appearance, split, labels), the clip's geometry and the
sprite's pose in every frame."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .config import (
    APPEARANCE,
    SPEED_UNITS,
    SyntheticMotionConfig,
)
from .effects import bounce, effect_options

_SPRITE_RADIUS = (0.12, 0.16)  # fraction of the frame size
_ZOOM_AMPLITUDE = 0.35  # the scale swings in [1 - a, 1 + a]


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
        effects = effect_options(cfg)
        if effects:  # only then: plain sets keep their metadata
            spec['effects'] = effects
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
                 layout: dict[str, Any] | None = None,
                 times: np.ndarray | None = None) -> np.ndarray:
    """Sprite pose per frame.

    Args:
        spec: A clip spec from :func:`make_clip_specs`.
        layout: Its :func:`clip_layout` (computed when omitted).
        times: (T,) frame times, fractions allowed (a shutter's
            sub-frames). Defaults to every frame, 0 .. n_frames - 1.

    Returns:
        np.ndarray: (T, 4) float64 rows ``x, y, angle, scale``: centre in
        px, orientation in rad, size factor.
    """
    layout = clip_layout(spec) if layout is None else layout
    t = (np.arange(spec['n_frames'], dtype=np.float64) if times is None
         else np.asarray(times, np.float64))
    kind, speed, size = spec['kind'], spec['speed'], spec['size']
    x0, y0 = layout['centre']
    head = layout['heading']
    direction = np.array([math.cos(head), math.sin(head)])
    xy = np.tile([x0, y0], (len(t), 1))
    angle = np.full_like(t, layout['angle'])
    scale = np.ones_like(t)
    if kind == 'translate':
        lo, hi = layout['sprite_radius'], size - layout['sprite_radius']
        xy = bounce(xy + speed * t[:, None] * direction, lo, hi)
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

