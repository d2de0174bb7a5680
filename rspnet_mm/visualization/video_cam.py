"""Grad-CAM of one video file under a config: clips, model, maps.

A recognizer (a model with ``cls_head``) sees the clips of the config's test
pipeline (multi-crop testing replaced by a centre crop) and is explained for
a class; an :class:`~rspnet_mm.models.RSPNet` sees one q, k+, k- triple of
its training pipeline with the random augmentation switched off, and is
explained for its speed judgement s(q, k+) - s(q, k-), on the frames of q.
"""
import copy
import dataclasses
import random
from typing import List, Optional

import numpy as np
from mmengine.config import Config
from mmengine.dataset import Compose
from torch import nn

from . import grad_cam as cam_ops

#: Multi-crop test transforms, replaced by a centre crop of the same size.
_MULTI_CROP = ('ThreeCrop', 'TenCrop')
#: Pretraining augmentations whose randomness is switched off.
_WINDOW_AUGMENT = ('PerWindowAugment', 'SpeedWindowAugment')
_NO_AUGMENT = dict(area_range=(1.0, 1.0), aspect_ratio_range=(1.0, 1.0),
                   gray_prob=0.0, color_jitter=None, flip_prob=0.0)


@dataclasses.dataclass
class VideoCam:
    """Grad-CAM of one video.

    Attributes:
        frames (np.ndarray): (clips, T, H, W, 3) uint8 RGB frames the model
            saw (q only for RSPNet).
        cams (np.ndarray): (clips, T, H, W) float32 maps in [0, 1].
        score (float): The explained score (logit, or s(q,k+) - s(q,k-)).
        target (str): What was explained: ``'class 3'`` or ``'rsp'``.
        layer (str): Name of the layer inside the backbone.
    """

    frames: np.ndarray
    cams: np.ndarray
    score: float
    target: str
    layer: str


def is_rspnet(model: nn.Module) -> bool:
    """Whether ``model`` is an RSPNet pretraining model."""
    return type(model).__name__ == 'RSPNet'


def _pipeline(cfg: Config, rspnet: bool) -> List[dict]:
    """The pipeline config the CAM clips come from, made deterministic."""
    loader = 'train_dataloader' if rspnet else next(
        (name for name in ('test_dataloader', 'val_dataloader')
         if cfg.get(name)), None)
    if loader is None:
        raise ValueError('the config has no test_dataloader or '
                         'val_dataloader to take the clip pipeline from')
    steps = copy.deepcopy(cfg[loader].dataset.pipeline)
    for i, step in enumerate(steps):
        if step['type'] in _MULTI_CROP:
            steps[i] = dict(type='CenterCrop', crop_size=step['crop_size'])
        elif step['type'] in _WINDOW_AUGMENT:
            steps[i] = dict(step, **_NO_AUGMENT)
    return steps


def load_inputs(cfg: Config, model: nn.Module, video: str,
                seed: int = 0) -> tuple:
    """Clips of ``video`` as the model takes them.

    Args:
        cfg (Config): The model's config.
        model (nn.Module): The built model (for its data preprocessor).
        video (str): Path of the video file.
        seed (int): Seed of the pipeline's random choices (RSPNet's window
            positions and speed). Defaults to 0.

    Returns:
        tuple: ``inputs`` (1, V, C, T, H, W) normalised float tensor and
        ``frames`` (V, T, H, W, 3) uint8 RGB.
    """
    random.seed(seed)
    np.random.seed(seed)
    pipeline = Compose(_pipeline(cfg, is_rspnet(model)))
    sample = pipeline(dict(filename=video, label=-1, start_index=0,
                           modality='RGB'))
    raw = sample['inputs']  # [V, C, T, H, W] uint8
    frames = raw.permute(0, 2, 3, 4, 1).numpy().astype(np.uint8)
    data = model.data_preprocessor(
        dict(inputs=[raw], data_samples=[sample['data_samples']]),
        training=False)
    return data['inputs'], frames


def video_cam(cfg: Config, model: nn.Module, video: str,
              target_class: Optional[int] = None,
              layer: Optional[str] = None, seed: int = 0) -> VideoCam:
    """Grad-CAM of ``video`` for ``model``.

    Args:
        cfg (Config): The model's config (pipelines).
        model (nn.Module): Recognizer with ``cls_head`` or RSPNet, eval mode.
        video (str): Video file.
        target_class (int, optional): Class to explain (recognizers); the
            predicted class when None.
        layer (str, optional): Layer inside the backbone; the last conv
            stage when None.
        seed (int): Seed of the pipeline. Defaults to 0.

    Returns:
        VideoCam: Frames, maps and what was explained.
    """
    inputs, frames = load_inputs(cfg, model, video, seed)
    if layer is None:
        layer = cam_ops.default_layer(model.backbone)
    module = cam_ops.find_layer(model.backbone, layer)
    model.zero_grad(set_to_none=True)
    if is_rspnet(model):
        if target_class is not None:
            raise ValueError('--target-class is for recognizers; an RSPNet '
                             'checkpoint is explained for its speed '
                             'judgement')
        cam, score = cam_ops.grad_cam(
            module, lambda: cam_ops.rsp_score(model, inputs))
        target = 'rsp'
        frames = frames[:1]  # the maps are of q
    else:
        if getattr(model, 'cls_head', None) is None:
            raise ValueError(f'{type(model).__name__} has no cls_head: use a '
                             'recognizer (finetune) config or an RSPNet '
                             'pretraining config')
        chosen = []

        def score_fn():
            score, cls = cam_ops.class_score(model, inputs, target_class)
            chosen.append(cls)
            return score

        cam, score = cam_ops.grad_cam(module, score_fn)
        target = f'class {chosen[0]}'
    maps = cam_ops.upsample_cam(cam, frames.shape[1:4])
    return VideoCam(frames=frames, cams=maps.numpy().astype(np.float32),
                    score=float(score), target=target,
                    layer=layer or '(backbone output)')
