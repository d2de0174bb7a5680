"""Take the backbone out of one of this project's own checkpoints.

mmengine saves ``{'meta': {..., 'cfg': <config text>}, 'state_dict': ...,
'message_hub': ..., 'optimizer': ..., ...}``; the result has the format of
:mod:`.backbone_checkpoint` so it loads with ``pretrained=`` or
``init_cfg=dict(type='Pretrained', prefix='backbone.', ...)``.
"""
import copy
from collections import OrderedDict
from collections.abc import Mapping
from typing import Optional

from mmaction.registry import MODELS
from mmengine.config import Config

from .backbone_checkpoint import (
    BACKBONE_PREFIX,
    BackboneStateError,
    check_backbone_state_dict,
    plain_backbone_config,
)


def backbone_config_from_config(cfg: Config, source: str) -> dict:
    """``cfg.model.backbone`` as a plain dict.

    Args:
        cfg (Config): A full training config.
        source (str): Where the config came from, for messages.

    Returns:
        dict: The backbone config without ``pretrained``/``init_cfg``.

    Raises:
        BackboneStateError: The config has no ``model.backbone``.
    """
    model = cfg.get('model')
    if not isinstance(model, Mapping) or 'backbone' not in model:
        raise BackboneStateError(
            f'{source}: the config has no model.backbone; pass --config '
            'with the pretraining config')
    backbone = model['backbone']
    if hasattr(backbone, 'to_dict'):
        backbone = backbone.to_dict()
    return plain_backbone_config(backbone)


def backbone_config_from_meta(meta: Mapping, source: str) -> Optional[dict]:
    """The backbone config stored with a checkpoint, if any.

    Args:
        meta (Mapping): ``checkpoint['meta']``; mmengine stores the config
            text under ``cfg``.
        source (str): File name, for messages.

    Returns:
        dict | None: The backbone config, None when ``meta`` has no config.
    """
    text = meta.get('cfg') if isinstance(meta, Mapping) else None
    if not text:
        return None
    if isinstance(text, Mapping):
        return backbone_config_from_config(Config(dict(text)), source)
    try:
        cfg = Config.fromstring(str(text), '.py')
    except Exception as err:  # a config text mmengine cannot parse
        raise BackboneStateError(
            f"{source}: meta['cfg'] is not a readable config ({err}); pass "
            '--config') from err
    return backbone_config_from_config(cfg, f"{source} meta['cfg']")


def extract_backbone(checkpoint: Mapping,
                     source: str,
                     backbone_cfg: Optional[Mapping] = None) -> dict:
    """Backbone-only checkpoint from a full training checkpoint.

    Args:
        checkpoint (Mapping): The loaded mmengine checkpoint.
        source (str): File name, for messages and meta.
        backbone_cfg (Mapping, optional): Backbone config to use; defaults
            to the one in ``checkpoint['meta']['cfg']``.

    Returns:
        dict: ``{'state_dict': {'backbone.<key>': tensor},
        'meta': {'backbone', 'source', 'format', ...}}``.

    Raises:
        BackboneStateError: No ``backbone.*`` weights, no config, or the
            weights do not fit the configured backbone.
    """
    if not isinstance(checkpoint, Mapping):
        raise BackboneStateError(f'{source} holds a '
                                 f'{type(checkpoint).__name__}, not a dict')
    state = checkpoint.get('state_dict')
    if not isinstance(state, Mapping):
        hint = (' It looks like an official RSPNet checkpoint: use '
                'tools/convert_official_checkpoint.py.'
                if 'model' in checkpoint else '')
        raise BackboneStateError(
            f"{source} has no 'state_dict' (top-level keys: "
            f'{list(checkpoint)[:8]}).{hint}')
    state = OrderedDict(
        (k[len('module.'):] if k.startswith('module.') else k, v)
        for k, v in state.items())
    backbone = OrderedDict((k[len(BACKBONE_PREFIX):], v)
                           for k, v in state.items()
                           if k.startswith(BACKBONE_PREFIX))
    if not backbone:
        raise BackboneStateError(
            f"{source}: no '{BACKBONE_PREFIX}*' weights in its state_dict "
            f'(first keys: {list(state)[:5]})')
    meta = checkpoint.get('meta') or {}
    if backbone_cfg is not None:
        cfg = plain_backbone_config(backbone_cfg)
    else:
        cfg = backbone_config_from_meta(meta, source)
    if cfg is None:
        raise BackboneStateError(
            f"{source} stores no config (meta['cfg']); pass --config with "
            'the pretraining config')
    model = MODELS.build(copy.deepcopy(cfg))
    check_backbone_state_dict(model, backbone, source, hint=f'Config: {cfg}')
    out_meta = {'backbone': cfg, 'source': str(source),
                'format': 'rspnet_mm.backbone'}
    for key in ('epoch', 'iter'):
        if isinstance(meta.get(key), int):
            out_meta[key] = meta[key]
    return {
        'state_dict':
        OrderedDict((BACKBONE_PREFIX + k, v) for k, v in backbone.items()),
        'meta': out_meta,
    }
