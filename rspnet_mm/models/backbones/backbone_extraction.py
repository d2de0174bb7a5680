"""Take the backbone out of one of this project's (mmengine's)
checkpoints into a :mod:`.backbone_checkpoint` file."""
import copy
from collections.abc import Mapping
from typing import Optional

from mmaction.registry import MODELS
from mmengine.config import Config

from .backbone_checkpoint import (
    BackboneStateError,
    as_checkpoint_dict,
    check_backbone_state_dict,
    plain_backbone_config,
    sub_state_dict,
)


def backbone_config_from_config(cfg: Config, source: str) -> dict:
    """``cfg.model.backbone`` as plain values (BackboneStateError if
    there is none)."""
    backbone = (cfg.get('model') or {}).get('backbone')
    if not isinstance(backbone, Mapping):
        raise BackboneStateError(
            f'{source}: the config has no model.backbone; pass --config '
            'with the pretraining config')
    return plain_backbone_config(backbone)


def backbone_config_from_meta(meta: Mapping, source: str) -> Optional[dict]:
    """The backbone config in the config text of ``meta['cfg']``; None
    without one, BackboneStateError if it is unreadable or has none."""
    if not (isinstance(meta, Mapping) and meta.get('cfg')):
        return None
    try:
        cfg = Config.fromstring(str(meta['cfg']), '.py')
    except Exception as err:  # a config text mmengine cannot parse
        raise BackboneStateError(
            f"{source}: meta['cfg'] is not a readable config ({err}); pass "
            '--config') from err
    return backbone_config_from_config(cfg, f"{source} meta['cfg']")


def extract_backbone(checkpoint: Mapping, source: str,
                     backbone_cfg: Optional[Mapping] = None) -> dict:
    """Backbone-only checkpoint from a training checkpoint; raise
    BackboneStateError without ``backbone.*`` weights or config, or if they
    do not fit.

    Args:
        checkpoint (Mapping): The loaded mmengine checkpoint.
        source (str): File name, for messages and meta.
        backbone_cfg (Mapping, optional): Backbone config; defaults to the
            one in ``checkpoint['meta']['cfg']``.

    Returns:
        dict: ``{'state_dict': {'backbone.<key>': tensor}, 'meta': ...}``.
    """
    state = as_checkpoint_dict(checkpoint, source).get('state_dict')
    if not isinstance(state, Mapping):
        hint = (' It looks like an official RSPNet checkpoint: use '
                'tools/convert_official_checkpoint.py.'
                if 'model' in checkpoint else '')
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
    if cfg is None:
        raise BackboneStateError(
            f"{source} stores no config (meta['cfg']); pass --config with "
            'the pretraining config')
    check_backbone_state_dict(MODELS.build(copy.deepcopy(cfg)), backbone,
                              source, hint=f'Config: {cfg}')
    out_meta = dict(backbone=cfg, source=str(source),
                    format='rspnet_mm.backbone')
    out_meta.update((k, meta[k]) for k in ('epoch', 'iter')
                    if isinstance(meta.get(k), int))
    return dict(meta=out_meta, state_dict={
        f'backbone.{k}': v for k, v in backbone.items()})
