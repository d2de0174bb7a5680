"""Draw Grad-CAM maps over video frames: a PNG grid and an animated GIF."""
import os
import os.path as osp
from typing import Tuple

import cv2
import numpy as np
from PIL import Image

GAP = 2  # px between tiles, in the background colour
_BACKGROUND = 255


def overlay(frames: np.ndarray, cams: np.ndarray,
            alpha: float = 0.5) -> np.ndarray:
    """Blend a jet colour map of the maps over the frames.

    Args:
        frames (np.ndarray): (..., H, W, 3) uint8 RGB.
        cams (np.ndarray): (..., H, W) maps in [0, 1].
        alpha (float): Weight of the colour map. Defaults to 0.5.

    Returns:
        np.ndarray: (..., H, W, 3) uint8 RGB.
    """
    if frames.shape[:-1] != cams.shape:
        raise ValueError(f'frames {frames.shape} and maps {cams.shape} '
                         'differ in size')
    levels = np.clip(cams * 255 + 0.5, 0, 255).astype(np.uint8)
    colour = cv2.applyColorMap(levels.reshape(-1, 1), cv2.COLORMAP_JET)
    colour = colour.reshape(frames.shape)[..., ::-1]  # BGR -> RGB
    mixed = (1 - alpha) * frames.astype(np.float32) + alpha * colour
    return np.clip(mixed + 0.5, 0, 255).astype(np.uint8)


def _enlarge(images: np.ndarray, scale: int) -> np.ndarray:
    """Nearest-neighbour upscale of (..., H, W, 3) by an integer factor."""
    return images.repeat(scale, axis=-3).repeat(scale, axis=-2)


def cam_rows(frames: np.ndarray, cams: np.ndarray,
             alpha: float = 0.5) -> np.ndarray:
    """Rows of the grid: per clip its frames, then the overlay.

    Args:
        frames (np.ndarray): (clips, T, H, W, 3) uint8.
        cams (np.ndarray): (clips, T, H, W) in [0, 1].
        alpha (float): Colour-map weight.

    Returns:
        np.ndarray: (2 * clips, T, H, W, 3) uint8.
    """
    blended = overlay(frames, cams, alpha)
    return np.stack([frames, blended], axis=1).reshape(
        (-1, ) + frames.shape[1:])


def tile(rows: np.ndarray, scale: int = 1) -> np.ndarray:
    """Lay (rows, cols, H, W, 3) images out as one grid image.

    Returns:
        np.ndarray: (rows * (s H + gap) - gap, cols * (s W + gap) - gap, 3)
        uint8, s = ``scale``.
    """
    rows = _enlarge(rows, scale)
    n_rows, n_cols, h, w = rows.shape[:4]
    grid = np.full((n_rows * (h + GAP) - GAP, n_cols * (w + GAP) - GAP,
                    3), _BACKGROUND, np.uint8)
    for r in range(n_rows):
        for c in range(n_cols):
            y, x = r * (h + GAP), c * (w + GAP)
            grid[y:y + h, x:x + w] = rows[r, c]
    return grid


def default_scale(height: int) -> int:
    """Integer upscale that makes a tile at least 64 px high."""
    return max(1, -(-64 // height))


def write_cam_figures(frames: np.ndarray, cams: np.ndarray, out_dir: str,
                      stem: str, fps: float = 8.0,
                      alpha: float = 0.5) -> Tuple[str, str]:
    """Write ``<stem>_cam.png`` (grid) and ``<stem>_cam.gif`` (animation).

    The PNG has two rows per clip (frames, overlay) and one column per
    frame; each GIF frame shows, per clip, the frame beside its overlay.

    Args:
        frames (np.ndarray): (clips, T, H, W, 3) uint8 RGB.
        cams (np.ndarray): (clips, T, H, W) in [0, 1].
        out_dir (str): Output folder (created).
        stem (str): File name stem.
        fps (float): GIF frame rate. Defaults to 8.
        alpha (float): Colour-map weight. Defaults to 0.5.

    Returns:
        tuple[str, str]: Paths of the PNG and the GIF.
    """
    os.makedirs(out_dir, exist_ok=True)
    scale = default_scale(frames.shape[2])
    rows = cam_rows(frames, cams, alpha)  # [2 * clips, T, H, W, 3]
    png = osp.join(out_dir, f'{stem}_cam.png')
    Image.fromarray(tile(rows, scale)).save(png)
    pairs = rows.reshape((-1, 2) + rows.shape[1:])  # [clips, 2, T, H, W, 3]
    movie = [tile(pairs[:, :, t], scale) for t in range(rows.shape[1])]
    gif = osp.join(out_dir, f'{stem}_cam.gif')
    images = [Image.fromarray(image) for image in movie]
    images[0].save(gif, save_all=True, append_images=images[1:],
                   duration=round(1000 / fps), loop=0)
    return png, gif

