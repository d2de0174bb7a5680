"""Backbone-only checkpoint files: format, strict checks, load and save.

The format, written by ``tools/convert_official_checkpoint.py`` and
``tools/extract_backbone.py``, is a dict holding only tensors and plain
Python values, so ``torch.load(path, weights_only=True)`` reads it::

    {'state_dict': {'backbone.<key>': tensor, ...},
     'meta': {'backbone': {'type': 'S3DG', ...}, 'arch': ..., ...}}
"""
from collections import OrderedDict
from typing import Callable, Dict, Mapping, Optional, Tuple

import torch
from torch import nn

from rspnet_mm.compat import load_checkpoint_file

BACKBONE_PREFIX = 'backbone.'
_OFFICIAL_PREFIXES = ('encoder_q.', 'module.encoder_q.')
_SHOWN = 5


class BackboneStateError(ValueError):
    """A state dict or checkpoint does not fit the backbone it is meant
    for."""


def _sample(keys, describe: Optional[Callable[[str], str]] = None) -> str:
    keys = list(keys)
    shown = [describe(k) if describe else k for k in keys[:_SHOWN]]
    more = f', ... ({len(keys) - _SHOWN} more)' if len(keys) > _SHOWN else ''
    return ', '.join(shown) + more


def check_backbone_state_dict(
        model: nn.Module,
        state_dict: Mapping[str, torch.Tensor],
        source: str,
        describe: Optional[Callable[[str], str]] = None,
        hint: str = '') -> None:
    """Check that ``state_dict`` has exactly the keys and shapes of
    ``model``.

    Args:
        model (nn.Module): The backbone.
        state_dict (Mapping[str, torch.Tensor]): Keys without prefix.
        source (str): What the state dict came from, for the message.
        describe (Callable[[str], str], optional): Turns one of the
            model's keys into the text shown for it (e.g. with its official
            name). Defaults to None (the key itself).
        hint (str): Sentence appended to the error. Defaults to ''.

    Raises:
        BackboneStateError: Missing or unexpected keys, or other shapes;
            the message names the first few of each.
    """
    expected = model.state_dict()
    missing = [k for k in expected if k not in state_dict]
    unexpected = [k for k in state_dict if k not in expected]
    wrong = [
        f'{k}: file {tuple(state_dict[k].shape)} vs model '
        f'{tuple(expected[k].shape)}' for k in expected
        if k in state_dict and tuple(state_dict[k].shape) != tuple(
            expected[k].shape)
    ]
    if not (missing or unexpected or wrong):
        return
    problems = []
    if missing:
        problems.append(f'{len(missing)} missing keys '
                        f'({_sample(missing, describe)})')
    if unexpected:
        problems.append(f'{len(unexpected)} unexpected keys '
                        f'({_sample(unexpected)})')
    if wrong:
        problems.append(f'{len(wrong)} shape mismatches ({_sample(wrong)})')
    if not hint and any(k.startswith(_OFFICIAL_PREFIXES) for k in state_dict):
        hint = ('It looks like an official RSPNet checkpoint: convert it '
                'first with tools/convert_official_checkpoint.py.')
    raise BackboneStateError(
        f'{source} does not fit {type(model).__name__} '
        f'({len(expected)} keys): ' + '; '.join(problems) + '. ' + hint)


def backbone_state_from_checkpoint(
        checkpoint: Mapping, source: str) -> Tuple[Dict[str, torch.Tensor],
                                                  dict]:
    """Take the backbone weights out of a loaded checkpoint.

    Accepts the converter format, a full recognizer checkpoint (only
    ``backbone.*`` is taken; ``key_encoder.module.backbone.*`` is not) or a
    bare backbone state dict.

    Args:
        checkpoint (Mapping): What :func:`torch.load` returned.
        source (str): File name, for messages.

    Returns:
        tuple[dict, dict]: State dict without the ``backbone.`` prefix, and
        ``checkpoint['meta']`` (``{}`` when absent).

    Raises:
        BackboneStateError: Not a dict of tensors, or no weights in it.
    """
    if not isinstance(checkpoint, Mapping):
        raise BackboneStateError(
            f'{source} holds a {type(checkpoint).__name__}, not a checkpoint '
            'dict')
    if 'state_dict' not in checkpoint and isinstance(
            checkpoint.get('model'), Mapping):
        raise BackboneStateError(
            f"{source} has 'model' but no 'state_dict': it looks like an "
            'official RSPNet checkpoint; convert it first with '
            'tools/convert_official_checkpoint.py')
    meta = checkpoint.get('meta') or {}
    state_dict = checkpoint.get('state_dict', checkpoint)
    if not isinstance(state_dict, Mapping):
        raise BackboneStateError(f"{source}: 'state_dict' is a "
                                 f'{type(state_dict).__name__}, not a dict')
    state_dict = OrderedDict(
        (k[len('module.'):] if k.startswith('module.') else k, v)
        for k, v in state_dict.items())
    if any(k.startswith(BACKBONE_PREFIX) for k in state_dict):
        state_dict = OrderedDict(
            (k[len(BACKBONE_PREFIX):], v) for k, v in state_dict.items()
            if k.startswith(BACKBONE_PREFIX))
    tensors = OrderedDict(
        (k, v) for k, v in state_dict.items() if isinstance(v, torch.Tensor))
    if not tensors:
        raise BackboneStateError(
            f'{source} holds no weights (top-level keys: '
            f'{_sample(checkpoint)})')
    if len(tensors) != len(state_dict):
        others = [k for k in state_dict if k not in tensors]
        raise BackboneStateError(
            f'{source}: state dict entries that are not tensors: '
            f'{_sample(others)}')
    return tensors, dict(meta)


def load_backbone_checkpoint(model: nn.Module, path: str) -> None:
    """Load a backbone checkpoint file into ``model`` strictly.

    Args:
        model (nn.Module): The backbone.
        path (str): File in the converter format (or see
            :func:`backbone_state_from_checkpoint`).

    Raises:
        BackboneStateError: The file is for another backbone type, or keys
            or shapes differ.
        rspnet_mm.compat.UnsafeCheckpointError: The file is not a
            tensors-only checkpoint.
    """
    checkpoint = load_checkpoint_file(path, map_location='cpu')
    state_dict, meta = backbone_state_from_checkpoint(checkpoint, path)
    name = type(model).__name__
    saved = meta.get('backbone') if isinstance(meta, Mapping) else None
    saved_type = saved.get('type') if isinstance(saved, Mapping) else None
    if saved_type is not None and saved_type != name:
        raise BackboneStateError(
            f'{path} holds a {saved_type} backbone ({saved}), but it is '
            f'being loaded into {name}; use backbone={saved} in the config '
            'or pick the checkpoint of this architecture')
    check_backbone_state_dict(model, state_dict, path)
    model.load_state_dict(state_dict, strict=True)


def plain_backbone_config(cfg: Mapping) -> dict:
    """Copy a backbone config as plain Python values for a checkpoint.

    ``pretrained`` and ``init_cfg`` are dropped: the weights travel in the
    same file.

    Args:
        cfg (Mapping): Backbone config (dict or ConfigDict) with ``type``.

    Returns:
        dict: Nested dicts, lists, tuples, str, int, float, bool, None.

    Raises:
        BackboneStateError: ``type`` missing or a value is not plain.
    """
    def plain(value, where):
        if isinstance(value, Mapping):
            return {str(k): plain(v, f'{where}.{k}') for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(plain(v, where) for v in value)
        if value is None or isinstance(value, str | int | float | bool):
            return value
        raise BackboneStateError(
            f'backbone config value {where}={value!r} is not a plain Python '
            'value; write the type as a string')

    if not isinstance(cfg, Mapping) or not isinstance(cfg.get('type'), str):
        raise BackboneStateError(
            f'backbone config needs a string type, got {cfg!r}')
    return {
        k: plain(v, f'backbone.{k}')
        for k, v in cfg.items() if k not in ('pretrained', 'init_cfg')
    }


def save_plain_checkpoint(path: str, checkpoint: Mapping) -> None:
    """Write ``{'state_dict': ..., 'meta': ...}`` so that
    ``torch.load(path, weights_only=True)`` reads it, and check that it
    does.

    Tensors are cloned first, so a view does not drag its whole storage
    into the file.

    Args:
        path (str): Output file.
        checkpoint (Mapping): ``state_dict`` of tensors and plain ``meta``.

    Raises:
        BackboneStateError: Something in it is not a tensor or plain value.
    """
    out = {
        'state_dict':
        OrderedDict((k, v.detach().clone().contiguous())
                    for k, v in checkpoint['state_dict'].items()),
        'meta':
        checkpoint['meta'],
    }
    torch.save(out, path)
    try:
        torch.load(path, map_location='cpu', weights_only=True)
    except Exception as err:
        raise BackboneStateError(
            f'{path} was written but is not readable with weights_only=True '
            f'({err}); its meta must hold plain values only') from err
