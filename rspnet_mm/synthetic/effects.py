"""Whole-frame effects that make synthetic clips look more like footage.

Off by default (``SyntheticMotionConfig(camera_pan=0, lighting=0,
occluders=0)`` renders exactly as before). When on, each clip draws its
own parameters from its seed (a stream of its own, so the sprite and the
background stay those of the plain clip):

- ``camera_pan``: the camera drifts along a smooth closed path, moving the
  whole frame (sprite and background) by at most ``camera_pan`` px per
  frame; borders are mirrored.
- ``lighting``: the brightness swings by up to ``lighting`` (a fraction)
  over one slow period per clip.
- ``occluders``: that many static bars stand in front of the scene.
- ``texture``: the background gets a multi-scale noise texture (coarse
  blobs to fine grain, as natural surfaces), brightness x (1 +- texture).

The labels do not change: motion kind and speed band are the sprite's own
motion, relative to the scene.
"""
from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np


def effect_options(cfg: Any) -> dict[str, Any] | None:
    """The effect options of a config, None when every effect is off."""
    options = dict(camera_pan=cfg.camera_pan, lighting=cfg.lighting,
                   occluders=cfg.occluders, texture=cfg.texture)
    return options if any(options.values()) else None


def draw_effects(spec: dict[str, Any]) -> dict[str, Any]:
    """Per-clip effect parameters, drawn from ``spec['seed']``.

    Args:
        spec: A clip spec with an ``effects`` dict of options.

    Returns:
        dict: ``pan`` (amplitude px, angular rate, two phases), ``light``
        (amplitude, rate, phase) and ``bars`` (list of (x0, y0, x1, y1,
        grey level)).
    """
    options, size, n = spec['effects'], spec['size'], spec['n_frames']
    rng = np.random.default_rng([spec['seed'], 2])
    # a closed path: amplitude A, rate w with A * w <= camera_pan
    amplitude = min(size / 8, options['camera_pan'] * n / (2 * math.pi))
    rate = options['camera_pan'] / amplitude if amplitude > 0 else 0.0
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
        bars=bars)


def apply_effects(frame: np.ndarray, t: int,
                  params: dict[str, Any]) -> np.ndarray:
    """One frame with the clip's effects.

    Args:
        frame: (H, W, 3) uint8 RGB frame of the plain clip.
        t: Frame index.
        params: From :func:`draw_effects`.

    Returns:
        np.ndarray: (H, W, 3) uint8 RGB.
    """
    amplitude, rate, phase_x, phase_y = params['pan']
    if amplitude > 0:
        dx = amplitude * (math.sin(rate * t + phase_x) - math.sin(phase_x))
        dy = amplitude * (math.sin(rate * t + phase_y) - math.sin(phase_y))
        shift = np.array([[1.0, 0.0, dx], [0.0, 1.0, dy]])
        frame = cv2.warpAffine(frame, shift, frame.shape[1::-1],
                               flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REFLECT)
    for x0, y0, x1, y1, grey in params['bars']:
        frame[y0:y1, x0:x1] = grey
    swing, rate, phase = params['light']
    if swing > 0:
        gain = 1 + swing * math.sin(rate * t + phase)
        frame = np.clip(frame.astype(np.float32) * gain + 0.5, 0,
                        255).astype(np.uint8)
    return frame


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
