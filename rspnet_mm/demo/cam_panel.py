"""The demo's Grad-CAM panel: where RSPNet and a random network look.

For a few val clips, the map of the speed judgement s(q, k+) - s(q, k-)
(:func:`rspnet_mm.visualization.grad_cam.rsp_score`) of the pretrained
RSPNet and of the same model at its random initialisation, drawn over q's
frames; appended below the demo's figure.
"""
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.config import Config
from PIL import Image, ImageDraw

from rspnet_mm.inference import build_model
from rspnet_mm.visualization import video_cam
from rspnet_mm.visualization.cam_figures import (
    GAP,
    default_scale,
    overlay,
    tile,
)

_LABEL_WIDTH = 96  # px of the row names left of the tiles
_WHITE = (255, 255, 255)


def val_videos(data_dir: str, count: int) -> List[str]:
    """The first ``count`` videos of the val list, as paths."""
    with open(osp.join(data_dir, 'val_list.txt')) as f:
        names = [line.split()[0] for line in f if line.strip()]
    return [osp.join(data_dir, 'videos', name) for name in names[:count]]


def cam_rows(config: str, checkpoints: Dict[str, Optional[str]],
             videos: Sequence[str], seed: int = 0,
             every: int = 2) -> tuple:
    """Frames and overlays of every clip for every initialisation.

    Args:
        config (str): The RSPNet pretraining config.
        checkpoints (dict): Name -> checkpoint (None: the initialisation
            drawn with ``seed``), e.g. ``{'RSPNet': path, 'random': None}``.
        videos (Sequence[str]): Video files.
        seed (int): Seed of the random initialisation and of the clip
            sampling (the same q for every model). Defaults to 0.
        every (int): Keep every ``every``-th frame. Defaults to 2.

    Returns:
        tuple: ``rows`` (R, T', H, W, 3) uint8 and their ``names`` (R,):
        per video its frames, then one overlay per checkpoint.
    """
    cfg = Config.fromfile(config)
    models = {}
    for name, checkpoint in checkpoints.items():
        torch.manual_seed(seed)
        models[name] = build_model(cfg, checkpoint)
    rows, names = [], []
    for index, video in enumerate(videos):
        for number, (name, model) in enumerate(models.items()):
            result = video_cam(cfg, model, video, seed=seed)
            frames = result.frames[0, ::every]  # [T', H, W, 3]
            if number == 0:
                rows.append(frames)
                names.append(f'val clip {index}')
            rows.append(overlay(frames, result.cams[0, ::every]))
            names.append(name)
    return np.stack(rows), names


def draw_panel(rows: np.ndarray, names: Sequence[str], title: str,
               path: str) -> str:
    """Write the rows as one PNG with row names and a title.

    Args:
        rows (np.ndarray): (R, T, H, W, 3) uint8 tiles.
        names (Sequence[str]): Name of each row.
        title (str): Line above the grid.
        path (str): Output PNG.

    Returns:
        str: ``path``.
    """
    scale = default_scale(rows.shape[2])
    grid = tile(rows, scale)
    step = rows.shape[2] * scale + GAP  # one row and its gap
    top = 20
    canvas = Image.new('RGB', (grid.shape[1] + _LABEL_WIDTH,
                               grid.shape[0] + top), _WHITE)
    canvas.paste(Image.fromarray(grid), (_LABEL_WIDTH, top))
    draw = ImageDraw.Draw(canvas)
    draw.text((4, 4), title, fill=(0, 0, 0))
    for r, name in enumerate(names):
        draw.text((4, top + r * step + step // 2 - 6), name, fill=(0, 0, 0))
    canvas.save(path)
    return path


def append_below(figure: str, panel: str) -> None:
    """Put ``panel`` under the image ``figure`` (rewritten in place)."""
    upper, lower = Image.open(figure).convert('RGB'), Image.open(panel)
    width = max(upper.width, lower.width)
    both = Image.new('RGB', (width, upper.height + lower.height), _WHITE)
    both.paste(upper, (0, 0))
    both.paste(lower, (0, upper.height))
    both.save(figure)


def write_cam_panel(config: str, rspnet_checkpoint: str, data_dir: str,
                    path: str, clips: int = 3, seed: int = 0) -> str:
    """The demo's panel: RSPNet vs random initialisation on val clips.

    Args:
        config (str): The pretraining config.
        rspnet_checkpoint (str): The pretraining checkpoint.
        data_dir (str): Synthetic data folder.
        path (str): Output PNG.
        clips (int): Val clips shown. Defaults to 3.
        seed (int): Seed of the random initialisation. Defaults to 0.

    Returns:
        str: ``path``.
    """
    rows, names = cam_rows(config, {'RSPNet': rspnet_checkpoint,
                                    'random init': None},
                           val_videos(data_dir, clips), seed)
    title = ('Grad-CAM of the speed judgement s(q,k+) - s(q,k-) on q, '
             'every 2nd frame (red: drives it most)')
    return draw_panel(rows, names, title, path)
