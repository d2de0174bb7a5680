"""Grad-CAM for 3D video backbones (Selvaraju et al., ICCV 2017).

For a layer with activations A (N, C, T', H', W') and a scalar score y, the
map of clip n is ``relu(sum_c w_nc A_nc)`` with ``w_nc`` the mean of
``dy/dA_nc`` over (T', H', W'). Two scores are provided:

- :func:`class_score`: the logit of a class of a recognizer with a
  ``cls_head`` (MMAction2's ``Recognizer3D``), averaged over the clips;
- :func:`rsp_score`: RSPNet's relative speed judgement ``s(q, k+) -
  s(q, k-)`` (cosine similarities of the RSP embeddings; q from the query
  encoder, the keys from the momentum key encoder, as in training).
"""
from typing import Callable, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def default_layer(backbone: nn.Module) -> str:
    """Name (inside ``backbone``) of its last conv stage.

    Args:
        backbone (nn.Module): A plugin backbone (with ``stage_modules``),
            MMAction2's ``ResNet3d`` (with ``res_layers``), or any module.

    Returns:
        str: The last module of the last stage, ``res_layers[-1]`` for
        ``ResNet3d``, or ``''`` (the backbone's own output) otherwise.
    """
    if hasattr(backbone, 'stage_modules'):
        last = backbone.stage_modules()[-1][-1]
        for name, module in backbone.named_modules():
            if module is last:
                return name
    if getattr(backbone, 'res_layers', None):
        return backbone.res_layers[-1]
    return ''


def find_layer(backbone: nn.Module, name: Optional[str]) -> nn.Module:
    """The module ``name`` of ``backbone`` (its last stage when None).

    Args:
        backbone (nn.Module): The backbone.
        name (str, optional): Dotted module path inside the backbone, as
            in its ``named_modules()`` (e.g. ``layers.3``, ``layer3``).

    Returns:
        nn.Module: The layer whose output the map is computed on.
    """
    name = default_layer(backbone) if name is None else name
    try:
        return backbone.get_submodule(name)
    except AttributeError:
        names = [n for n, m in backbone.named_children()]
        raise ValueError(
            f'--layer {name!r}: no such module in {type(backbone).__name__}; '
            f'top-level modules are {names} (nested ones as '
            '"parent.child")') from None


def grad_cam(layer: nn.Module,
             score_fn: Callable[[], Tensor]) -> Tuple[Tensor, Tensor]:
    """Grad-CAM of ``layer`` for the scalar that ``score_fn`` returns.

    Args:
        layer (nn.Module): Module whose output, (N, C, T', H', W'), is used.
            It must run exactly once with gradient inside ``score_fn``
            (calls under ``torch.no_grad()`` are ignored).
        score_fn (Callable[[], Tensor]): Runs the model and returns the
            scalar score y to explain.

    Returns:
        tuple[Tensor, Tensor]: The maps (N, T', H', W'), >= 0, not
        normalised, and the score y (detached).
    """
    seen = []

    def keep(module, args, output):
        if torch.is_grad_enabled():
            if not isinstance(output, Tensor) or output.dim() != 5:
                raise ValueError(
                    f'Grad-CAM layer {type(module).__name__} gives '
                    f'{type(output).__name__} '
                    f'{tuple(getattr(output, "shape", ()))}, not a feature '
                    'map (N, C, T, H, W); choose a conv stage with --layer')
            seen.append(output)

    handle = layer.register_forward_hook(keep)
    try:
        with torch.enable_grad():
            score = score_fn()
    finally:
        handle.remove()
    if len(seen) != 1:
        raise RuntimeError(f'Grad-CAM layer ran {len(seen)} times with '
                           'gradient; it must run once per score')
    if score.dim() != 0:
        raise ValueError(f'Grad-CAM score must be a scalar, got shape '
                         f'{tuple(score.shape)}')
    activation = seen[0]
    grad, = torch.autograd.grad(score, activation)
    weights = grad.mean(dim=(2, 3, 4), keepdim=True)  # [N, C, 1, 1, 1]
    cam = F.relu((weights * activation).sum(dim=1))  # [N, T', H', W']
    return cam.detach(), score.detach()


def upsample_cam(cam: Tensor, size: Tuple[int, int, int]) -> Tensor:
    """Resize maps to the input clip and scale each to [0, 1].

    Args:
        cam (Tensor): (N, T', H', W') maps.
        size (tuple[int, int, int]): (T, H, W) of the input clips.

    Returns:
        Tensor: (N, T, H, W) in [0, 1]; each clip divided by its maximum
        (an all-zero map stays zero).
    """
    up = F.interpolate(cam[:, None].float(), size=tuple(size),
                       mode='trilinear', align_corners=False)[:, 0]
    peak = up.flatten(1).amax(dim=1).clamp(min=1e-12)
    return (up / peak[:, None, None, None]).clamp(0, 1)


def class_score(model: nn.Module, inputs: Tensor,
                target: Optional[int] = None) -> Tuple[Tensor, int]:
    """Mean logit of a class over the clips of one video.

    Args:
        model (nn.Module): A recognizer with ``extract_feat(inputs,
            stage='head')`` (MMAction2's ``Recognizer3D``).
        inputs (Tensor): Normalised clips (1, num_clips, C, T, H, W).
        target (int, optional): Class to explain; the predicted class
            (argmax of the mean logits) when None.

    Returns:
        tuple[Tensor, int]: The scalar score and the class.
    """
    logits, _ = model.extract_feat(inputs, stage='head')  # [clips, classes]
    mean = logits.mean(dim=0)
    if target is None:
        target = int(mean.argmax())
    if not 0 <= target < mean.numel():
        raise ValueError(f'--target-class {target}: the model has '
                         f'{mean.numel()} classes (0..{mean.numel() - 1})')
    return mean[target], target


def rsp_gap(model: nn.Module, inputs: Tensor) -> Tensor:
    """RSPNet's relative speed judgement s(q, k+) - s(q, k-) per sample.

    Args:
        model (nn.Module): An :class:`~rspnet_mm.models.RSPNet` with its RSP
            task on.
        inputs (Tensor): Normalised views (N, 3, C, T, H, W): q, k+, k-.

    Returns:
        Tensor: (N,); positive when q is judged closer to the same-speed
        key (q from the query encoder, the keys from the momentum key
        encoder without gradient, as in training).
    """
    if getattr(model, 'rsp_head', None) is None:
        raise ValueError('this RSPNet has no rsp_head (rsp_loss_weight=0): '
                         'there is no speed judgement to explain')
    q_in, kpos_in, kneg_in = inputs.unbind(dim=1)  # [N, C, T, H, W]
    q = model.rsp_head(model.backbone(q_in))  # [N, D] unit vectors
    keys = model.key_encoder.module  # momentum copy: backbone, rsp_head
    with torch.no_grad():
        k_pos = keys['rsp_head'](keys['backbone'](kpos_in))  # [N, D]
        k_neg = keys['rsp_head'](keys['backbone'](kneg_in))
    return (q * k_pos).sum(dim=1) - (q * k_neg).sum(dim=1)


def rsp_score(model: nn.Module, inputs: Tensor) -> Tensor:
    """:func:`rsp_gap` summed over the batch: the scalar Grad-CAM explains."""
    return rsp_gap(model, inputs).sum()
