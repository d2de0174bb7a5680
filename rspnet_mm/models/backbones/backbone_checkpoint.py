"""Backbone files ``{'state_dict': {'backbone.<key>': tensor}, 'meta':
{'backbone': <config>, ...}}``: check, load, save, extract from training."""
import copy
import os
from typing import Any, Callable, Mapping, Optional

import torch
from mmaction.registry import MODELS
from mmengine.config import Config
from torch import nn

from rspnet_mm.compat import load_checkpoint_file

CONVERT_HINT = ('It looks like an official RSPNet checkpoint: convert it '
                'first with tools/convert_official_checkpoint.py.')


class BackboneStateError(ValueError):
    """A state dict or checkpoint does not fit the model it is meant for."""


def as_checkpoint_dict(checkpoint: Any, source: str) -> Mapping:
    """``checkpoint``, checked to be a dict."""
    if not isinstance(checkpoint, Mapping):
        raise BackboneStateError(f'{source} holds a '
                                 f'{type(checkpoint).__name__}, not a dict')
    return checkpoint


def sub_state_dict(state: Mapping, prefix: str = '') -> dict:
    """Entries under ``prefix``, without it (nor a DDP ``module.``)."""
    state = {k.removeprefix('module.'): v for k, v in state.items()}
    return {k[len(prefix):]: v for k, v in state.items()
            if k.startswith(prefix)}


def sample_keys(keys) -> str:
    """The first five keys and how many more."""
    keys = list(keys)
    more = f', ... ({len(keys) - 5} more)' if len(keys) > 5 else ''
    return ', '.join(keys[:5]) + more


def mismatch_report(expected: Mapping[str, torch.Tensor],
                    given: Mapping[str, torch.Tensor],
                    describe: Callable[[str], str] = str) -> str:
    """What keeps ``given`` from loading strictly where ``expected`` is.

    Args:
        expected: The model's state dict.
        given: The file's.
        describe: Names a missing key.

    Returns:
        ``''`` if keys and shapes agree, else e.g. ``'2 missing keys (a, b);
        1 shape mismatches (c: file (3,) vs model (4,))'``.
    """
    groups = {
        'missing keys': [describe(k) for k in expected if k not in given],
        'unexpected keys': [k for k in given if k not in expected],
        'shape mismatches': [
            f'{k}: file {tuple(given[k].shape)} vs model {tuple(v.shape)}'
            for k, v in expected.items()
            if k in given and given[k].shape != v.shape]}
    return '; '.join(f'{len(keys)} {what} ({sample_keys(keys)})'
                     for what, keys in groups.items() if keys)


def check_backbone_state_dict(model: nn.Module,
                              state_dict: Mapping[str, torch.Tensor],
                              source: str,
                              describe: Callable[[str], str] = str,
                              hint: str = '') -> None:
    """Raise BackboneStateError unless ``state_dict`` fits ``model``.

    Args:
        state_dict: The weights, no prefix.
        source: Where they come from.
        describe: Names a missing key.
        hint: What to do (default: :data:`CONVERT_HINT` for official keys).
    """
    report = mismatch_report(model.state_dict(), state_dict, describe)
    if report:
        if not hint and any('encoder_q.' in k for k in state_dict):
            hint = CONVERT_HINT
        raise BackboneStateError(
            f'{source} does not fit {type(model).__name__} '
            f'({len(model.state_dict())} keys): {report}. {hint}')


def load_backbone_checkpoint(model: nn.Module, path: str) -> None:
    """Load a file into ``model`` strictly (``pretrained=``).

    Args:
        path: A backbone file, a recognizer checkpoint (its ``backbone.*``,
            not the key encoder's) or a bare state dict.
    """
    checkpoint = as_checkpoint_dict(load_checkpoint_file(path), path)
    if 'state_dict' not in checkpoint and 'model' in checkpoint:
        raise BackboneStateError(f"{path} has 'model' but no 'state_dict'. "
                                 f'{CONVERT_HINT}')
    state = sub_state_dict(checkpoint.get('state_dict', checkpoint))
    state = sub_state_dict(state, 'backbone.') or state
    if not any(isinstance(v, torch.Tensor) for v in state.values()):
        raise BackboneStateError(f'{path} holds no weights (top-level keys: '
                                 f'{sample_keys(checkpoint)})')
    saved = (checkpoint.get('meta') or {}).get('backbone') or {}
    name = type(model).__name__
    if saved.get('type', name) != name:
        raise BackboneStateError(
            f"{path} holds a {saved['type']} backbone ({saved}), but it is "
            f'being loaded into {name}; use backbone={saved} in the config '
            'or pick the checkpoint of this architecture')
    check_backbone_state_dict(model, state, path)
    model.load_state_dict(state)


def _plain(value, where: str):
    """``value`` (a ConfigDict too) as plain Python values."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v, f'{where}.{k}') for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_plain(v, where) for v in value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise BackboneStateError(f'{where}={value!r} is not a plain Python '
                             'value; write the type as a string')


def plain_backbone_config(cfg: Mapping) -> dict:
    """``cfg`` as plain values, without ``pretrained`` and ``init_cfg``."""
    return _plain({k: v for k, v in cfg.items()
                   if k not in ('pretrained', 'init_cfg')}, 'backbone')


def save_plain_checkpoint(path: str, checkpoint: Mapping) -> None:
    """Write ``{'state_dict', 'meta'}`` for ``torch.load(weights_only=True)``,
    creating folders; tensors are cloned, lest a view save its storage."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    torch.save({'state_dict': {k: v.detach().clone().contiguous()
                               for k, v in checkpoint['state_dict'].items()},
                'meta': _plain(checkpoint['meta'], 'meta')}, path)


def backbone_config_from_config(cfg: Config, source: str) -> dict:
    """``cfg.model.backbone`` as plain values."""
    backbone = (cfg.get('model') or {}).get('backbone')
    if not isinstance(backbone, Mapping):
        raise BackboneStateError(
            f'{source}: the config has no model.backbone; pass --config '
            'with the pretraining config')
    return plain_backbone_config(backbone)


def backbone_config_from_meta(meta: Mapping, source: str) -> dict:
    """The backbone config in the config text of ``meta['cfg']``."""
    if not (isinstance(meta, Mapping) and meta.get('cfg')):
        raise BackboneStateError(
            f"{source} stores no config (meta['cfg']); pass --config with "
            'the pretraining config')
    try:
        cfg = Config.fromstring(str(meta['cfg']), '.py')
    except Exception as err:  # a config text mmengine cannot parse
        raise BackboneStateError(
            f"{source}: meta['cfg'] is not a readable config ({err}); pass "
            '--config') from err
    return backbone_config_from_config(cfg, f"{source} meta['cfg']")


def extract_backbone(checkpoint: Mapping, source: str,
                     backbone_cfg: Optional[Mapping] = None) -> dict:
    """Backbone file from a training checkpoint.

    Args:
        checkpoint: The loaded mmengine checkpoint.
        source: File name, for messages and meta.
        backbone_cfg: Defaults to the one in ``checkpoint['meta']['cfg']``.

    Returns:
        ``{'state_dict': {'backbone.<key>': tensor}, 'meta': ...}``.
    """
    state = as_checkpoint_dict(checkpoint, source).get('state_dict')
    if not isinstance(state, Mapping):
        hint = f' {CONVERT_HINT}' if 'model' in checkpoint else ''
        raise BackboneStateError(
            f"{source} has no 'state_dict' (top-level keys: "
            f'{list(checkpoint)[:8]}).{hint}')
    backbone = sub_state_dict(state, 'backbone.')
    if not backbone:
        raise BackboneStateError(
            f"{source}: no 'backbone.*' weights in its state_dict (first "
            f'keys: {list(sub_state_dict(state))[:5]})')
    meta = checkpoint.get('meta') or {}
    cfg = (plain_backbone_config(backbone_cfg) if backbone_cfg is not None
           else backbone_config_from_meta(meta, source))
    check_backbone_state_dict(MODELS.build(copy.deepcopy(cfg)), backbone,
                              source, hint=f'Config: {cfg}')
    kept = {k: v for k, v in meta.items()
            if k in ('epoch', 'iter') and isinstance(v, int)}
    return dict(meta=dict(backbone=cfg, source=str(source),
                          format='rspnet_mm.backbone', **kept),
                state_dict={f'backbone.{k}': v for k, v in backbone.items()})
