"""Vectorised uint8 operations on a stack of frames (pure functions).

A stack is an (N, H, W, 3) uint8 RGB array; each function applies the same
parameters to every frame. Per-pixel operations run as one OpenCV call over
the stack seen as one (N * H, W, 3) image; none converts to float.

The arithmetic follows torchvision's tensor ``ColorJitter`` and
``RandomResizedCrop`` (which the official RSPNet code uses), on uint8 with
rounding: brightness ``b * x``; contrast ``c * x + (1 - c) * mean(gray)``
with the mean over the whole stack; saturation ``s * x + (1 - s) * gray(x)``;
hue a rotation of the HSV hue by ``h`` of a full turn; gray
``0.299 R + 0.587 G + 0.114 B``.
"""
import math
from typing import Tuple

import cv2
import numpy as np

#: Luma weights of ITU-R BT.601, as cv2 and torchvision use.
GRAY_WEIGHTS = (0.299, 0.587, 0.114)

INTERPOLATIONS = {'bilinear': cv2.INTER_LINEAR, 'area': cv2.INTER_AREA}


def _as_image(frames: np.ndarray) -> np.ndarray:
    """View an (N, H, W, 3) contiguous stack as one (N * H, W, 3) image."""
    n, h, w, c = frames.shape
    return np.ascontiguousarray(frames).reshape(n * h, w, c)


def random_resized_crop_box(
        height: int, width: int, area_range: Tuple[float, float],
        aspect_ratio_range: Tuple[float, float]) -> Tuple[int, int, int, int]:
    """Draw a crop box as torchvision's ``RandomResizedCrop`` does.

    Up to 10 tries of an area fraction uniform in ``area_range`` and a
    log-uniform aspect ratio (width / height); if none fits, the largest
    centred box within the aspect range. Uses numpy's global RNG.

    Args:
        height (int): Frame height.
        width (int): Frame width.
        area_range (tuple[float, float]): Fraction of the frame area.
        aspect_ratio_range (tuple[float, float]): Width / height of the box.

    Returns:
        tuple[int, int, int, int]: ``(top, left, box_height, box_width)``.
    """
    area = height * width
    log_ratio = (math.log(aspect_ratio_range[0]),
                 math.log(aspect_ratio_range[1]))
    for _ in range(10):
        target_area = np.random.uniform(*area_range) * area
        ratio = math.exp(np.random.uniform(*log_ratio))
        box_w = int(round(math.sqrt(target_area * ratio)))
        box_h = int(round(math.sqrt(target_area / ratio)))
        if 0 < box_w <= width and 0 < box_h <= height:
            top = int(np.random.randint(0, height - box_h + 1))
            left = int(np.random.randint(0, width - box_w + 1))
            return top, left, box_h, box_w
    in_ratio = width / height
    if in_ratio < min(aspect_ratio_range):
        box_w, box_h = width, int(round(width / min(aspect_ratio_range)))
    elif in_ratio > max(aspect_ratio_range):
        box_h, box_w = height, int(round(height * max(aspect_ratio_range)))
    else:
        box_h, box_w = height, width
    return (height - box_h) // 2, (width - box_w) // 2, box_h, box_w


def crop_resize(frames: np.ndarray, rows: np.ndarray,
                box: Tuple[int, int, int, int], size: Tuple[int, int],
                interpolation: str = 'bilinear') -> np.ndarray:
    """Crop ``box`` out of the frames ``rows`` and resize it to ``size``.

    Only the box of the selected frames is read; the full frames are never
    copied. One ``cv2.resize`` per frame, on a view of the box: a single
    call over the frames stacked as channels needs a copy of the boxes and
    ran about 10 times slower (OpenCV's generic many-channel path).

    Args:
        frames (np.ndarray): (N, H, W, 3) uint8 decoded frames.
        rows (np.ndarray): (n,) indices of the frames to use.
        box (tuple[int, int, int, int]): ``(top, left, height, width)``.
        size (tuple[int, int]): Output ``(height, width)``.
        interpolation (str): ``'bilinear'`` (as the official code) or
            ``'area'``. Defaults to ``'bilinear'``.

    Returns:
        np.ndarray: (n, size[0], size[1], 3) uint8.
    """
    top, left, box_h, box_w = box
    out = np.empty((len(rows), size[0], size[1], 3), np.uint8)
    flag = INTERPOLATIONS[interpolation]
    for i, row in enumerate(rows):
        region = frames[row, top:top + box_h, left:left + box_w]
        cv2.resize(region, (size[1], size[0]), dst=out[i],
                   interpolation=flag)
    return out


def to_grayscale(frames: np.ndarray) -> np.ndarray:
    """Replace every pixel by its luma, in all three channels.

    Args:
        frames (np.ndarray): (N, H, W, 3) uint8 RGB.

    Returns:
        np.ndarray: (N, H, W, 3) uint8 with R == G == B.
    """
    gray = cv2.cvtColor(_as_image(frames), cv2.COLOR_RGB2GRAY)
    return cv2.cvtColor(gray, cv2.COLOR_GRAY2RGB).reshape(frames.shape)


def _apply_lut(frames: np.ndarray, lut: np.ndarray) -> np.ndarray:
    table = np.clip(np.rint(lut), 0, 255).astype(np.uint8)
    return cv2.LUT(_as_image(frames), table).reshape(frames.shape)


def adjust_brightness(frames: np.ndarray, factor: float) -> np.ndarray:
    """``clip(factor * x)`` through a 256-entry table.

    Args:
        frames (np.ndarray): (N, H, W, 3) uint8 RGB.
        factor (float): 1 keeps the frames; 0 gives black.

    Returns:
        np.ndarray: (N, H, W, 3) uint8.
    """
    return _apply_lut(frames, np.arange(256) * factor)


def gray_mean(frames: np.ndarray) -> float:
    """Mean luma of the whole stack (one number)."""
    means = cv2.mean(_as_image(frames))[:3]
    return float(np.dot(GRAY_WEIGHTS, means))


def adjust_contrast(frames: np.ndarray, factor: float) -> np.ndarray:
    """Blend with the stack's mean luma: ``factor * x + (1 - factor) * m``.

    Args:
        frames (np.ndarray): (N, H, W, 3) uint8 RGB.
        factor (float): 1 keeps the frames; 0 gives flat gray.

    Returns:
        np.ndarray: (N, H, W, 3) uint8.
    """
    mean = gray_mean(frames)
    return _apply_lut(frames, np.arange(256) * factor + (1 - factor) * mean)


def adjust_saturation(frames: np.ndarray, factor: float) -> np.ndarray:
    """Blend with each pixel's luma: ``factor * x + (1 - factor) * gray``.

    Args:
        frames (np.ndarray): (N, H, W, 3) uint8 RGB.
        factor (float): 1 keeps the frames; 0 gives gray.

    Returns:
        np.ndarray: (N, H, W, 3) uint8.
    """
    image = _as_image(frames)
    gray = cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY),
                        cv2.COLOR_GRAY2RGB)
    blended = cv2.addWeighted(image, factor, gray, 1.0 - factor, 0.0)
    return blended.reshape(frames.shape)


def adjust_hue(frames: np.ndarray, factor: float) -> np.ndarray:
    """Rotate the hue by ``factor`` of a full turn.

    Works in OpenCV's full-range 8-bit HSV (256 hue steps per turn), where
    the rotation is a wrapping uint8 addition.

    Args:
        frames (np.ndarray): (N, H, W, 3) uint8 RGB.
        factor (float): In [-0.5, 0.5]; 0 keeps the frames.

    Returns:
        np.ndarray: (N, H, W, 3) uint8.
    """
    shift = int(round(factor * 256)) % 256
    if shift == 0:
        return frames
    hsv = cv2.cvtColor(_as_image(frames), cv2.COLOR_RGB2HSV_FULL)
    hsv[..., 0] += np.uint8(shift)  # wraps around the colour circle
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB_FULL).reshape(frames.shape)


def hflip(frames: np.ndarray) -> np.ndarray:
    """Mirror every frame left-right.

    Args:
        frames (np.ndarray): (N, H, W, 3) uint8.

    Returns:
        np.ndarray: (N, H, W, 3) uint8, contiguous.
    """
    return cv2.flip(_as_image(frames), 1).reshape(frames.shape)


def to_channels_first(frames: np.ndarray) -> np.ndarray:
    """(N, H, W, 3) -> (3, N, H, W), one plane per channel.

    Args:
        frames (np.ndarray): (N, H, W, 3) uint8.

    Returns:
        np.ndarray: (3, N, H, W) uint8, contiguous.
    """
    n, h, w, _ = frames.shape
    planes = cv2.split(_as_image(frames))
    return np.stack(planes).reshape(3, n, h, w)
