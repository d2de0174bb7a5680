"""Render synthetic motion clips to RGB frames: a textured sprite posed by
:func:`~rspnet_mm.synthetic.motion.sprite_track` over a background, with
the effects of :mod:`.effects` when a clip asks for them."""
from __future__ import annotations

import math
from typing import Any, Iterator

import cv2
import numpy as np

from .config import COLOURS
from .effects import (
    BACKGROUND_DEPTH,
    OCCLUDER_DEPTH,
    camera_offset,
    distractor_track,
    draw_effects,
    lighting_gain,
    occluder_layer,
    shift_image,
    shutter_offsets,
    texture_background,
)
from .motion import clip_layout, sprite_track

_DARK = 0.45  # brightness of the dark half of a sprite texture
_MARKER = (0.55, 0.14)  # offset and radius of the orientation dot, x R
_HALF_DIAGONAL = math.sqrt(2) / 2  # of a square sprite, x its side


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

    Back to front: the background, the distractors behind, the labelled
    sprite, the distractors in front, the occluders; each layer moved by
    the camera times its depth, each frame averaged over the shutter, then
    lit (see :mod:`.effects`).

    Args:
        spec: A clip spec from :func:`make_clip_specs`.

    Yields:
        np.ndarray: (H, W, 3) uint8 RGB frame, a new array each time.
    """
    layout = clip_layout(spec)
    rng = np.random.default_rng([spec['seed'], 1])
    size, n = spec['size'], spec['n_frames']
    background = texture_background(
        _background(spec['background'], size, layout, rng), spec)
    params = draw_effects(spec) if spec.get('effects') else None
    offsets = shutter_offsets(params)
    times = (np.arange(n)[:, None] + offsets[None, :]).ravel()  # [T * S]
    # layers: (sprite RGBA, (T * S, 4) poses, depth), back to front
    layers = [(_sprite(spec, layout['sprite_radius'], rng),
               sprite_track(spec, layout, times), 1.0)]
    camera = np.zeros((len(times), 2))
    bars = None
    if params is not None:
        for d in params['distractors']:
            track = np.zeros((len(times), 4))
            track[:, :2] = distractor_track(d, times, size)
            track[:, 3] = 1.0
            sprite = _sprite(d, d['radius'], np.random.default_rng(d['seed']))
            layers.insert(sum(layer[2] < d['depth'] for layer in layers),
                          (sprite, track, d['depth']))
        camera = camera_offset(params, times)
        bars = occluder_layer(params, size)
    # plain floats per sub-frame: numpy scalars are slow in this loop
    camera_xy = camera.tolist()
    poses = [track.tolist() for _, track, _ in layers]
    for t in range(n):
        frame = np.zeros((size, size, 3), np.float32)
        for s in range(len(offsets)):
            i = t * len(offsets) + s
            cx, cy = camera_xy[i]
            canvas = shift_image(background, camera[i] * BACKGROUND_DEPTH,
                                 cv2.BORDER_REFLECT)
            for (sprite, _, depth), pose in zip(layers, poses):
                x, y, angle, scale = pose[i]
                _paste(canvas, sprite, x + cx * depth, y + cy * depth, angle,
                       scale)
            if bars is not None:
                front = shift_image(bars, camera[i] * OCCLUDER_DEPTH,
                                    cv2.BORDER_REPLICATE)
                canvas = canvas * (1 - front[..., 3:]) + front[..., :3]
            frame += canvas
        frame /= len(offsets)
        if params is not None and params['light'][0] > 0:
            frame *= lighting_gain(params, t)
        yield np.clip(frame + 0.5, 0, 255).astype(np.uint8)


def _paste(canvas: np.ndarray, sprite: np.ndarray, x: float, y: float,
           angle: float, scale: float) -> None:
    """Composite a premultiplied RGBA sprite onto ``canvas`` in place.

    Args:
        canvas: (H, W, 3) float32 RGB, changed in place.
        sprite: (n, n, 4) float32 premultiplied RGBA, pointing along +x.
        x, y: Centre in px.
        angle: Orientation in rad.
        scale: Size factor.
    """
    height, width = canvas.shape[:2]
    mid = (sprite.shape[0] - 1) / 2  # the sprite is square
    # only the sprite's bounding box is warped and composited
    reach = sprite.shape[0] * _HALF_DIAGONAL * scale + 1
    x0, y0 = max(math.floor(x - reach), 0), max(math.floor(y - reach), 0)
    x1, y1 = min(math.ceil(x + reach), width), min(math.ceil(y + reach),
                                                    height)
    if x1 <= x0 or y1 <= y0:
        return
    cos, sin = scale * math.cos(angle), scale * math.sin(angle)
    matrix = np.array([
        [cos, -sin, x - x0 - cos * mid + sin * mid],
        [sin, cos, y - y0 - sin * mid - cos * mid],
    ])
    layer = cv2.warpAffine(sprite, matrix, (x1 - x0, y1 - y0),
                           flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_CONSTANT)
    box = canvas[y0:y1, x0:x1]
    box *= 1 - layer[..., 3:]
    box += layer[..., :3]


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
