"""Convert official RSPNet checkpoints: ``model`` (maybe ``module.``-keyed)
holds ``queue`` (128, K), ``queue_ptr``, ``encoder_q.encoder.*``, the heads
``encoder_q.fc{1,2}.2.*`` and their momentum copies in ``encoder_k.``."""
import re
from typing import Dict, Mapping, Optional, Sequence, Tuple

import torch
from mmaction.registry import MODELS

from . import hara_resnet3d, s3dg, vcop_c3d, vcop_r2plus1d
from .backbone_checkpoint import (
    as_checkpoint_dict,
    check_backbone_state_dict,
    sub_state_dict,
)

QUERY_BACKBONE, KEY_BACKBONE = 'encoder_q.encoder.', 'encoder_k.encoder.'
#: Official head -> ours (fc2 = g_m, relative speed; fc1 = g_a, A-VID).
HEADS = {'fc2.2.': 'rsp_head', 'fc1.2.': 'avid_head'}
#: Official ``arch`` -> our backbone config, a key only that arch has, and
#: the module with its ``OFFICIAL_KEYS`` and ``OFFICIAL_CLASSIFIER``.
OFFICIAL_ARCHS = {
    'c3d': dict(backbone=dict(type='VCOPC3D'), signature='conv3a.weight',
                module=vcop_c3d),
    'r2plus1d-vcop': dict(backbone=dict(type='VCOPR2Plus1D'),
                          signature='conv1.spatial_conv.weight',
                          module=vcop_r2plus1d),
    'resnet18': dict(backbone=dict(type='HaraResNet3D', depth=18),
                     signature='layer1.0.conv1.weight', module=hara_resnet3d),
    's3dg': dict(backbone=dict(type='S3DG'), module=s3dg,
                 signature='feature.sepConv1.sep_conv.0.conv3d.weight'),
}


def rename_key(key: str, pairs: Sequence[Tuple[str, str]],
               to_official: bool = False) -> str:
    """Rename a backbone key (no prefix) by an ``OFFICIAL_KEYS`` table.

    Args:
        pairs: ``(official, ours)`` runs of whole name parts, in order.
        to_official: Undo the renaming.
    """
    if to_official:
        pairs = [(ours, official) for official, ours in reversed(pairs)]
    for old, new in pairs:
        key = re.sub(r'(^|\.)' + re.escape(old), r'\g<1>' + new, key)
    return key


def convert_official_state_dict(state: Mapping[str, torch.Tensor],
                                arch: str) -> Dict[str, torch.Tensor]:
    """Official keys (no prefix) of ``arch`` -> ours, less the classifier."""
    module = OFFICIAL_ARCHS[arch]['module']
    return {rename_key(k, module.OFFICIAL_KEYS): v for k, v in state.items()
            if not k.startswith(module.OFFICIAL_CLASSIFIER)}


def _resolve_arch(checkpoint: Mapping, backbone: Mapping,
                  arch: Optional[str], source: str) -> str:
    """``arch``, else the file's, else the one the keys match; checked."""
    found = [a for a, spec in OFFICIAL_ARCHS.items()
             if spec['signature'] in backbone]
    given = '--arch' if arch is not None else "its 'arch' entry"
    arch = arch or checkpoint.get('arch') or (
        found[0] if len(found) == 1 else None)
    if arch is None:
        raise ValueError(
            f'{source}: cannot tell the architecture: no arch given, no '
            f"'arch' entry and the backbone keys match {found or 'none'} of "
            f'{sorted(OFFICIAL_ARCHS)} (first keys: {list(backbone)[:5]}); '
            'pass --arch')
    if arch not in OFFICIAL_ARCHS:
        raise ValueError(f'{source}: unsupported arch {arch!r} ({given}); '
                         f'supported: {sorted(OFFICIAL_ARCHS)}')
    if found and arch not in found:
        signature = OFFICIAL_ARCHS[found[0]]['signature']
        raise ValueError(
            f'{source}: {given} is {arch!r}, but the backbone keys are those '
            f'of {found[0]!r} (it has {signature!r}); use --arch {found[0]} '
            f'or a checkpoint of {arch}')
    return arch


def _convert_backbone(state: Mapping[str, torch.Tensor], arch: str,
                      source: str, prefix: str,
                      out: str = 'backbone.') -> Dict[str, torch.Tensor]:
    """The official backbone under ``prefix`` as ours under ``out``."""
    spec = OFFICIAL_ARCHS[arch]
    converted = convert_official_state_dict(sub_state_dict(state, prefix),
                                            arch)
    check_backbone_state_dict(
        MODELS.build(dict(spec['backbone'])), converted,
        f'{source} ({prefix}*)', hint=f'Expected an official {arch!r} '
        'backbone.', describe=lambda k: prefix + rename_key(
            k, spec['module'].OFFICIAL_KEYS, to_official=True))
    return {out + k: v for k, v in converted.items()}


def _full_state(state: Mapping, arch: str,
                source: str) -> Dict[str, torch.Tensor]:
    """The recognizer's state besides the query ``backbone.*``."""
    key = 'key_encoder.module.'
    names = {f'{role}{official}{p}': f'{ours}{head}.fc.{p}'
             for role, ours in (('encoder_q.', ''), ('encoder_k.', key))
             for official, head in HEADS.items() for p in ('weight', 'bias')}
    names.update(queue='queue', queue_ptr='queue_ptr')
    missing = [f"{k} (the {v.split('.')[-3]} projection)" if '.fc.' in v
               else repr(k) for k, v in names.items() if k not in state]
    if missing:
        raise ValueError(f"{source}: missing {', '.join(missing)}; --full "
                         "needs the official fc_type='linear' heads and the "
                         'MoCo queue')
    unexpected = [k for k in state if k not in names
                  and not k.startswith((QUERY_BACKBONE, KEY_BACKBONE))]
    if unexpected:
        raise ValueError(f'{source}: keys --full cannot map: {unexpected[:5]}'
                         f' ({len(unexpected)} in all); only the linear '
                         'heads are supported')
    out = _convert_backbone(state, arch, source, KEY_BACKBONE,
                            f'{key}backbone.')
    out.update((ours, state[official]) for official, ours in names.items())
    queue, feat_dim = out['queue'].float(), len(out['rsp_head.fc.weight'])
    if queue.dim() != 2 or len(queue) != feat_dim:
        raise ValueError(f'{source}: queue has shape {tuple(queue.shape)}, '
                         f'expected ({feat_dim}, K)')
    out.update(queue=queue, queue_ptr=out['queue_ptr'].long().reshape(1))
    out['key_encoder.steps'] = torch.tensor(1)  # at 0, EMA copies the query
    return out


def convert_official_checkpoint(checkpoint: Mapping,
                                arch: Optional[str] = None,
                                full: bool = False,
                                source: str = 'checkpoint') -> dict:
    """Convert a loaded official checkpoint.

    Args:
        arch: One of :data:`OFFICIAL_ARCHS`; defaults to the file's
            ``arch`` entry, else recognised from the keys.
        full: The RSPNet recognizer's state (``backbone``, heads,
            ``key_encoder``, queue) instead of the backbone's.
        source: File name for messages and meta.

    Returns:
        ``{'state_dict': ..., 'meta': ...}``; ValueError if the file is not
        official, the arch is unknown or the keys do not fit.
    """
    checkpoint = as_checkpoint_dict(checkpoint, source)
    state = sub_state_dict(as_checkpoint_dict(
        checkpoint.get('model', checkpoint), source))
    if not any(k.startswith(QUERY_BACKBONE) for k in state):
        ours = 'state_dict' in checkpoint or any(
            k.startswith('backbone.') for k in state)
        raise ValueError(
            f'{source} is not an official RSPNet pre-training checkpoint: '
            f"no '{QUERY_BACKBONE}*' keys in its "
            f"{'model' if 'model' in checkpoint else 'top level'} (first "
            f'keys: {list(state)[:5]}).' + (
                ' It looks like a checkpoint of this project: use '
                'tools/extract_backbone.py instead.' if ours else ''))
    arch = _resolve_arch(checkpoint, sub_state_dict(state, QUERY_BACKBONE),
                         arch, source)
    state_dict = _convert_backbone(state, arch, source, QUERY_BACKBONE)
    meta = dict(backbone=dict(OFFICIAL_ARCHS[arch]['backbone']), arch=arch,
                source=str(source), format='rspnet_mm.backbone')
    if isinstance(checkpoint.get('epoch'), int):
        meta['official_epoch'] = checkpoint['epoch']
    if full:
        state_dict.update(_full_state(state, arch, source))
        feat_dim, queue_len = state_dict['queue'].shape
        meta.update(format='rspnet_mm.rspnet', feat_dim=feat_dim,
                    queue_len=queue_len,
                    heads=dict(proj_type='linear', feat_dim=feat_dim))
    return dict(state_dict=state_dict, meta=meta)
