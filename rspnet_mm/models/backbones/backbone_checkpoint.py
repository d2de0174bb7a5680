"""Backbone-only checkpoint files: format, strict check, load and save.

Written by ``tools/convert_official_checkpoint.py`` and
``tools/extract_backbone.py``; only tensors and plain values, so that
``torch.load(path, weights_only=True)`` reads it::

    {'state_dict': {'backbone.<key>': tensor, ...},
     'meta': {'backbone': {'type': 'S3DG', ...}, 'arch': ..., ...}}
"""
import os
from collections import OrderedDict
from typing import Callable, Dict, Mapping, Optional

import torch
from torch import nn

from rspnet_mm.compat import load_checkpoint_file

CONVERT_HINT = ('It looks like an official RSPNet checkpoint: convert it '
                'first with tools/convert_official_checkpoint.py.')


class BackboneStateError(ValueError):
    """A state dict or checkpoint does not fit the model it is meant for."""


def sub_state_dict(state: Mapping, prefix: str = '') -> Dict[str, object]:
    """Entries under ``prefix``, without it; a DDP ``module.`` in front of
    a key is dropped first (as mmengine's default ``revise_keys``)."""
    out = OrderedDict()
    for key, value in state.items():
        key = key.removeprefix('module.')
        if key.startswith(prefix):
            out[key[len(prefix):]] = value
    return out


def sample_keys(keys, describe: Optional[Callable[[str], str]] = None) -> str:
    """The first five keys (through ``describe``) and how many more."""
    keys = list(keys)
    shown = ', '.join(describe(k) if describe else k for k in keys[:5])
    return shown + (f', ... ({len(keys) - 5} more)' if len(keys) > 5 else '')


def mismatch_report(expected: Mapping[str, torch.Tensor],
                    given: Mapping[str, torch.Tensor],
                    describe: Optional[Callable[[str], str]] = None) -> str:
    """What keeps ``given`` from loading strictly where ``expected`` is.

    Args:
        expected (Mapping[str, torch.Tensor]): The model's state dict.
        given (Mapping[str, torch.Tensor]): The file's.
        describe (Callable[[str], str], optional): Text shown for a missing
            key (e.g. its official name). Defaults to the key.

    Returns:
        str: ``''`` when keys and shapes agree, else e.g. ``'2 missing keys
        (a, b); 1 shape mismatches (c: file (3,) vs model (4,))'``.
    """
    missing = [k for k in expected if k not in given]
    unexpected = [k for k in given if k not in expected]
    wrong = [f'{k}: file {tuple(given[k].shape)} vs model {tuple(v.shape)}'
             for k, v in expected.items()
             if k in given and tuple(given[k].shape) != tuple(v.shape)]
    return '; '.join(
        f'{len(keys)} {what} ({sample_keys(keys, how)})'
        for what, keys, how in [('missing keys', missing, describe),
                                ('unexpected keys', unexpected, None),
                                ('shape mismatches', wrong, None)] if keys)


def check_backbone_state_dict(model: nn.Module,
                              state_dict: Mapping[str, torch.Tensor],
                              source: str,
                              describe: Optional[Callable] = None,
                              hint: str = '') -> None:
    """Raise :class:`BackboneStateError` naming the first missing,
    unexpected and misshapen keys unless ``state_dict`` (no prefix) fits
    ``model`` exactly; ``source`` and ``hint`` go into the message,
    ``describe`` is :func:`mismatch_report`'s."""
    expected = model.state_dict()
    report = mismatch_report(expected, state_dict, describe)
    if not report:
        return
    if not hint and any('encoder_q.' in k for k in state_dict):
        hint = CONVERT_HINT
    raise BackboneStateError(f'{source} does not fit {type(model).__name__} '
                             f'({len(expected)} keys): {report}. {hint}')


def load_backbone_checkpoint(model: nn.Module, path: str) -> None:
    """Load a backbone file into ``model`` strictly (``pretrained=``).

    Takes the ``backbone.*`` tensors of a file in the format above or of a
    recognizer checkpoint (not ``key_encoder.module.backbone.*``), or a
    bare backbone state dict.

    Raises:
        BackboneStateError: Not a dict of tensors, for another backbone
            type, or keys or shapes differ.
        rspnet_mm.compat.UnsafeCheckpointError: Not a tensors-only file.
    """
    checkpoint = load_checkpoint_file(path)
    if not isinstance(checkpoint, Mapping):
        raise BackboneStateError(f'{path} holds a '
                                 f'{type(checkpoint).__name__}, not a dict')
    if 'state_dict' not in checkpoint and 'model' in checkpoint:
        raise BackboneStateError(f"{path} has 'model' but no 'state_dict'. "
                                 f'{CONVERT_HINT}')
    state = sub_state_dict(checkpoint.get('state_dict', checkpoint))
    if any(k.startswith('backbone.') for k in state):
        state = sub_state_dict(state, 'backbone.')
    others = [k for k, v in state.items() if not isinstance(v, torch.Tensor)]
    if len(others) == len(state):
        raise BackboneStateError(f'{path} holds no weights (top-level keys: '
                                 f'{sample_keys(checkpoint)})')
    if others:
        raise BackboneStateError(f'{path}: state dict entries that are not '
                                 f'tensors: {sample_keys(others)}')
    saved = (checkpoint.get('meta') or {}).get('backbone') or {}
    name = type(model).__name__
    if saved.get('type', name) != name:
        raise BackboneStateError(
            f"{path} holds a {saved['type']} backbone ({saved}), but it is "
            f'being loaded into {name}; use backbone={saved} in the config '
            'or pick the checkpoint of this architecture')
    check_backbone_state_dict(model, state, path)
    model.load_state_dict(state, strict=True)


def plain_backbone_config(cfg: Mapping) -> dict:
    """A backbone config (dict or ConfigDict with a string ``type``) as
    plain Python values, without ``pretrained`` and ``init_cfg`` (the
    weights travel in the same file).

    Raises:
        BackboneStateError: No string ``type``, or a value is not plain.
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
    return plain({k: v for k, v in cfg.items()
                  if k not in ('pretrained', 'init_cfg')}, 'backbone')


def save_plain_checkpoint(path: str, checkpoint: Mapping) -> None:
    """Write ``{'state_dict', 'meta'}`` (tensors cloned, so a view does not
    drag its whole storage along; missing folders created) and check that
    ``torch.load(path, weights_only=True)`` reads it back.

    Raises:
        BackboneStateError: Something in it is not a tensor or plain value.
    """
    state = OrderedDict((k, v.detach().clone().contiguous())
                        for k, v in checkpoint['state_dict'].items())
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    torch.save({'state_dict': state, 'meta': checkpoint['meta']}, path)
    try:
        torch.load(path, map_location='cpu', weights_only=True)
    except Exception as err:
        raise BackboneStateError(
            f'{path} was written but is not readable with weights_only=True '
            f'({err}); its meta must hold plain values only') from err
