"""What makes synthetic clips look more like footage: the parameters of the
camera, the lighting, the occluders, the other moving objects and the
background texture of one clip.

Off by default (every option 0 renders exactly as before). When on, each
clip draws its own parameters from its seed (streams of their own, so the
sprite and the background stay those of the plain clip):

- ``camera_pan``: the camera drifts along a smooth closed path, at a speed
  drawn per clip between still and ``camera_pan``. The scene has depth: a
  layer at depth factor ``d`` moves ``d`` times the camera offset (the
  background ``BACKGROUND_DEPTH``, the labelled sprite 1, the occluders
  ``OCCLUDER_DEPTH``), so near things sweep past faster than far ones
  (parallax). The labelled sprite's plane moves by at most that
  speed in px per frame; borders are mirrored.
- ``lighting``: the brightness swings by up to ``lighting`` (a fraction)
  over one slow period per clip.
- ``occluders``: that many bars stand in front of the scene.
- ``texture``: the background gets a multi-scale noise texture (coarse
  blobs to fine grain, as natural surfaces), brightness x (1 +- texture).
- ``distractors``: that many other objects drift across the scene, each
  with its own shape, colour, speed and heading, half behind the labelled
  sprite (smaller, slower: farther away) and half in front of it.
- ``motion_blur``: each frame is the mean of ``BLUR_SAMPLES`` renders
  spread over ``motion_blur`` of the frame interval (the shutter), so
  whatever moves is smeared along its path in proportion to its speed.

The labels do not change: motion kind and speed band are the labelled
sprite's own motion, relative to the scene.
"""
from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np

from .config import APPEARANCE

BACKGROUND_DEPTH = 0.4  # the background moves 0.4 x the camera offset
OCCLUDER_DEPTH = 1.8  # the bars, nearest to the camera
BLUR_SAMPLES = 3  # renders averaged into one blurred frame
_BEHIND, _IN_FRONT = (0.5, 0.8), (1.2, 1.5)  # distractor depth factors
_DISTRACTOR_RADIUS = (0.04, 0.06)  # fraction of the frame size at depth 1
# fraction of the frame size per frame at depth 1 (x depth on screen: at
# most 0.03): bystanders drifting past, slower than the labelled sprite's
# slowest band at the demo's --speed-scale 3 (translate 0.03-0.043). At
# 0.01-0.05 they moved like the sprite, and the demo's features learned the
# sprite's motion kind far less (docs/demo.md)
_DISTRACTOR_SPEED = (0.004, 0.02)
EFFECTS = ('camera_pan', 'lighting', 'occluders', 'texture', 'distractors',
           'motion_blur')


def effect_options(cfg: Any) -> dict[str, Any] | None:
    """The effect options of a config, None when every effect is off."""
    options = {name: getattr(cfg, name) for name in EFFECTS}
    return options if any(options.values()) else None


def draw_effects(spec: dict[str, Any]) -> dict[str, Any]:
    """Per-clip effect parameters, drawn from ``spec['seed']``.

    Args:
        spec: A clip spec with an ``effects`` dict of options.

    Returns:
        dict: ``pan`` (amplitude px, angular rate, two phases), ``light``
        (amplitude, rate, phase), ``bars`` (list of (x0, y0, x1, y1,
        grey level), later ones in front), ``distractors`` (list of dicts
        ``depth, radius, start, heading, speed, shape, colour, texture,
        seed``, back to front) and ``shutter`` (fraction of a frame).
    """
    options, size, n = spec['effects'], spec['size'], spec['n_frames']
    rng = np.random.default_rng([spec['seed'], 2])
    # this clip's camera speed, from still to camera_pan (a stream of its
    # own, so the other parameters stay those of earlier versions)
    speed = options['camera_pan'] * np.random.default_rng(
        [spec['seed'], 5]).random()
    # a closed path: amplitude A, rate w with A * w <= speed
    amplitude = min(size / 8, speed * n / (2 * math.pi))
    rate = speed / amplitude if amplitude > 0 else 0.0
    bars = []
    for _ in range(options['occluders']):
        width = int(rng.integers(max(size // 16, 1), max(size // 6, 2)))
        if rng.random() < 0.5:  # vertical bar
            x0 = int(rng.integers(0, size - width))
            box = (x0, 0, x0 + width, size)
        else:
            y0 = int(rng.integers(0, size - width))
            box = (0, y0, size, y0 + width)
        bars.append(box + (int(rng.integers(20, 235)), ))
    return dict(
        pan=(amplitude, rate, *rng.uniform(0, 2 * math.pi, 2).tolist()),
        light=(options['lighting'], 2 * math.pi / n,
               float(rng.uniform(0, 2 * math.pi))),
        bars=bars,
        distractors=_draw_distractors(spec, options.get('distractors', 0)),
        shutter=float(options.get('motion_blur', 0.0)))


def _draw_distractors(spec: dict[str, Any], count: int) -> list[dict]:
    """``count`` drifting objects, sorted back to front."""
    rng = np.random.default_rng([spec['seed'], 4])
    size = spec['size']
    objects = []
    for i in range(count):
        depth = float(rng.uniform(*(_BEHIND if i % 2 == 0 else _IN_FRONT)))
        speed = math.exp(rng.uniform(*np.log(_DISTRACTOR_SPEED)))
        objects.append(dict(
            depth=depth,
            radius=float(size * depth * rng.uniform(*_DISTRACTOR_RADIUS)),
            start=rng.uniform(0, size, 2).tolist(),
            heading=float(rng.uniform(0, 2 * math.pi)),
            speed=float(size * depth * speed),  # px per frame on screen
            seed=int(rng.integers(2**31 - 1)),
            **{attr: str(values[rng.integers(len(values))])
               for attr, values in APPEARANCE.items() if attr != 'background'}
        ))
    return sorted(objects, key=lambda d: d['depth'])


def distractor_track(distractor: dict[str, Any], times: np.ndarray,
                     size: int) -> np.ndarray:
    """Centre of a distractor at ``times``, bouncing inside the frame.

    Args:
        distractor: One entry of ``draw_effects(spec)['distractors']``.
        times: (N,) frame times (fractions allowed).
        size: Frame size in px.

    Returns:
        np.ndarray: (N, 2) float64 ``x, y`` in px (before the camera).
    """
    heading = distractor['heading']
    direction = np.array([math.cos(heading), math.sin(heading)])
    xy = np.asarray(distractor['start']) + \
        distractor['speed'] * np.asarray(times)[:, None] * direction
    lo, hi = distractor['radius'], size - distractor['radius']
    return bounce(xy, lo, hi)


def bounce(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Fold positions into [lo, hi] as a ball bouncing off the walls."""
    span = hi - lo
    y = np.mod(x - lo, 2 * span)
    return lo + np.where(y > span, 2 * span - y, y)


def camera_offset(params: dict[str, Any], times: np.ndarray) -> np.ndarray:
    """(N, 2) camera offset in px at depth 1 for (N,) frame ``times``."""
    amplitude, rate, phase_x, phase_y = params['pan']
    phases = np.array([phase_x, phase_y])
    angle = rate * np.asarray(times, np.float64)[:, None] + phases
    return amplitude * (np.sin(angle) - np.sin(phases))


def shutter_offsets(params: dict[str, Any] | None) -> np.ndarray:
    """Sub-frame times (in frames, around 0) averaged into one frame."""
    shutter = params['shutter'] if params else 0.0
    if not shutter:
        return np.zeros(1)
    return shutter * ((np.arange(BLUR_SAMPLES) + 0.5) / BLUR_SAMPLES - 0.5)


def shift_image(image: np.ndarray, offset: np.ndarray,
                border: int) -> np.ndarray:
    """A new array: ``image`` moved by ``offset`` (x, y) px, sub-pixel,
    ``border`` mode of OpenCV for what comes into view."""
    if not offset.any():
        return image.copy()
    shift = np.array([[1.0, 0.0, offset[0]], [0.0, 1.0, offset[1]]])
    return cv2.warpAffine(image, shift, image.shape[1::-1],
                          flags=cv2.INTER_LINEAR, borderMode=border)


def occluder_layer(params: dict[str, Any], size: int) -> np.ndarray | None:
    """(size, size, 4) float32 premultiplied RGBA of the bars, or None."""
    if not params['bars']:
        return None
    layer = np.zeros((size, size, 4), np.float32)
    for x0, y0, x1, y1, grey in params['bars']:  # later bars in front
        layer[y0:y1, x0:x1] = (grey, grey, grey, 1.0)
    return layer


def lighting_gain(params: dict[str, Any], t: int) -> float:
    """Brightness factor of frame ``t``."""
    swing, rate, phase = params['light']
    return 1 + swing * math.sin(rate * t + phase)


def texture_background(background: np.ndarray,
                       spec: dict[str, Any]) -> np.ndarray:
    """The background with the clip's noise texture (when asked for).

    Args:
        background: (H, W, 3) float32 RGB background.
        spec: A clip spec; ``spec['effects']['texture']`` is the strength.

    Returns:
        np.ndarray: (H, W, 3) float32 in [0, 255].
    """
    strength = spec.get('effects', {}).get('texture', 0)
    if not strength:
        return background
    size = background.shape[0]
    rng = np.random.default_rng([spec['seed'], 3])
    noise = np.zeros((size, size), np.float32)
    for octave in range(4):  # 2x2 .. 16x16 cells, finer ones weaker
        cells = 2 << octave
        coarse = rng.random((cells, cells)).astype(np.float32)
        noise += cv2.resize(coarse, (size, size),
                            interpolation=cv2.INTER_CUBIC) / 2**octave
    noise = (noise - noise.min()) / max(float(np.ptp(noise)), 1e-6)
    gain = 1 + strength * (2 * noise - 1)  # in [1 - s, 1 + s]
    return np.clip(background * gain[..., None], 0, 255)
