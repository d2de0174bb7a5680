"""Convert checkpoints of the official RSPNet code (PeihaoChen/RSPNet).

An official pre-training checkpoint ``{'epoch', 'arch', 'model', ...}``
holds in ``model`` (keys maybe ``module.``-prefixed) ``queue`` (128, K),
``queue_ptr``, the query encoder ``encoder_q.encoder.*``, its heads
``encoder_q.fc1.2.*`` (A-VID) and ``encoder_q.fc2.2.*`` (RSP), and their
momentum copies under ``encoder_k.``. :func:`convert_official_checkpoint`
turns it into a backbone checkpoint (the format of
:mod:`.backbone_checkpoint`) or, with ``full=True``, the state of the
``RSPNet`` recognizer (``backbone.*``, ``{rsp,avid}_head.fc.*``,
``key_encoder.module.*``, ``key_encoder.steps``, ``queue``,
``queue_ptr``) for ``load_from``. Key names follow the ``OFFICIAL_KEYS``
table beside each backbone (see :func:`rename_key`).
"""
import re
from collections import OrderedDict
from typing import Dict, Mapping, Optional, Sequence, Tuple

import torch
from mmaction.registry import MODELS

from . import hara_resnet3d, s3dg, vcop_c3d, vcop_r2plus1d
from .backbone_checkpoint import check_backbone_state_dict, sub_state_dict

QUERY_BACKBONE = 'encoder_q.encoder.'
KEY_BACKBONE = 'encoder_k.encoder.'
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
                     signature='layer1.0.conv1.weight',
                     module=hara_resnet3d),
    's3dg': dict(backbone=dict(type='S3DG'),
                 signature='feature.sepConv1.sep_conv.0.conv3d.weight',
                 module=s3dg),
}


def rename_key(key: str, pairs: Sequence[Tuple[str, str]],
               to_official: bool = False) -> str:
    """Rename a backbone key (no prefix) by an ``OFFICIAL_KEYS`` table.

    Each ``(official, ours)`` pair replaces a run of whole name parts, in
    order; ``to_official`` applies the pairs swapped and in reverse order,
    which undoes the renaming. Keys no pair matches stay as they are.
    """
    if to_official:
        pairs = [(ours, official) for official, ours in reversed(pairs)]
    for old, new in pairs:
        key = re.sub(r'(^|\.)' + re.escape(old), r'\g<1>' + new, key)
    return key


def convert_official_state_dict(state: Mapping[str, torch.Tensor],
                                arch: str) -> Dict[str, torch.Tensor]:
    """Official backbone keys (no prefix) -> ours; the official 1-output
    classifier is left out, unknown keys pass unchanged (a strict load then
    reports them)."""
    module = OFFICIAL_ARCHS[arch]['module']
    return OrderedDict(
        (rename_key(k, module.OFFICIAL_KEYS), v) for k, v in state.items()
        if not k.startswith(module.OFFICIAL_CLASSIFIER))


def _official_model_state(checkpoint: Mapping, source: str) -> dict:
    """``checkpoint['model']`` without ``module.``, checked to be one."""
    model = (checkpoint.get('model', checkpoint)
             if isinstance(checkpoint, Mapping) else checkpoint)
    if not isinstance(model, Mapping):
        raise ValueError(f'{source} holds a {type(model).__name__}, not a '
                         'checkpoint dict')
    state = sub_state_dict(model)
    if not any(k.startswith(QUERY_BACKBONE) for k in state):
        ours = any(k.startswith('backbone.') for k in state) or (
            'state_dict' in checkpoint)
        raise ValueError(
            f'{source} is not an official RSPNet pre-training checkpoint: '
            f"no '{QUERY_BACKBONE}*' keys in its "
            f"{'model' if 'model' in checkpoint else 'top level'} (first "
            f'keys: {list(state)[:5]}).' +
            (' It looks like a checkpoint of this project: use '
             'tools/extract_backbone.py instead.' if ours else ''))
    return state


def _resolve_arch(checkpoint: Mapping, backbone: Mapping,
                  arch: Optional[str], source: str) -> str:
    """``arch``, else the file's ``arch`` entry, else the one whose
    signature key is present; it must agree with the keys."""
    found = [a for a, spec in OFFICIAL_ARCHS.items()
             if spec['signature'] in backbone]
    given = '--arch' if arch is not None else "its 'arch' entry"
    arch = arch if arch is not None else checkpoint.get('arch')
    if arch is None and len(found) == 1:
        return found[0]
    if arch is None:
        raise ValueError(
            f'{source}: cannot tell the architecture: no arch given, no '
            f"'arch' entry and the backbone keys match "
            f"{found or 'none'} of {sorted(OFFICIAL_ARCHS)} (first keys: "
            f'{list(backbone)[:5]}); pass --arch')
    if arch not in OFFICIAL_ARCHS:
        raise ValueError(f'{source}: unsupported arch {arch!r} ({given}); '
                         f'supported: {sorted(OFFICIAL_ARCHS)}')
    if found and arch not in found:
        raise ValueError(
            f'{source}: {given} is {arch!r}, but the backbone keys are '
            f"those of {found[0]!r} (it has "
            f"{OFFICIAL_ARCHS[found[0]]['signature']!r}); use --arch "
            f'{found[0]} or a checkpoint of {arch}')
    return arch


def convert_official_backbone(state: Mapping[str, torch.Tensor], arch: str,
                              source: str = 'state dict',
                              prefix: str = QUERY_BACKBONE
                              ) -> Dict[str, torch.Tensor]:
    """Rename official backbone keys (``prefix`` removed) of ``arch`` and
    check them strictly.

    Raises:
        BackboneStateError: Missing (named as in the official file, with
            ``prefix``), unexpected or misshapen keys.
    """
    spec = OFFICIAL_ARCHS[arch]
    converted = convert_official_state_dict(state, arch)
    check_backbone_state_dict(
        MODELS.build(dict(spec['backbone'])), converted,
        source=f'{source} ({prefix}*)',
        describe=lambda k: prefix + rename_key(
            k, spec['module'].OFFICIAL_KEYS, to_official=True),
        hint=f'Expected an official {arch!r} backbone.')
    return converted


def _full_state(state: Mapping, arch: str, source: str,
                backbone: Mapping) -> Dict[str, torch.Tensor]:
    """The RSPNet recognizer's state from the official model state."""
    key, heads = 'key_encoder.module.', {}  # official head key -> ours
    for role, ours in (('encoder_q.', ''), ('encoder_k.', key)):
        for official, head in HEADS.items():
            for param in ('weight', 'bias'):
                name = f'{role}{official}{param}'
                if name not in state:
                    raise ValueError(
                        f'{source}: missing {name} (the {head} projection);'
                        " --full needs the official fc_type='linear' heads")
                heads[name] = f'{ours}{head}.fc.{param}'
    for name in ('queue', 'queue_ptr'):
        if name not in state:
            raise ValueError(f'{source}: missing {name!r}; --full needs the '
                             'MoCo queue')
    unexpected = [k for k in state if k not in heads
                  and k not in ('queue', 'queue_ptr')
                  and not k.startswith((QUERY_BACKBONE, KEY_BACKBONE))]
    if unexpected:
        raise ValueError(f'{source}: keys --full cannot map: {unexpected[:5]}'
                         f' ({len(unexpected)} in all); only the linear '
                         'heads are supported')
    key_backbone = convert_official_backbone(
        sub_state_dict(state, KEY_BACKBONE), arch, source, KEY_BACKBONE)
    out = OrderedDict((f'backbone.{k}', v) for k, v in backbone.items())
    out.update((f'{key}backbone.{k}', v) for k, v in key_backbone.items())
    out.update((ours, state[official]) for official, ours in heads.items())
    queue, feat_dim = state['queue'], out['rsp_head.fc.weight'].shape[0]
    if queue.dim() != 2 or queue.shape[0] != feat_dim:
        raise ValueError(f'{source}: queue has shape {tuple(queue.shape)}, '
                         f'expected ({feat_dim}, K)')
    # steps > 0: mmengine's EMA would otherwise overwrite the key encoder
    # with the query encoder at its first update.
    out['key_encoder.steps'] = torch.tensor(1, dtype=torch.long)
    out['queue'] = queue.float()
    out['queue_ptr'] = state['queue_ptr'].long().reshape(1)
    return out


def convert_official_checkpoint(checkpoint: Mapping,
                                arch: Optional[str] = None,
                                full: bool = False,
                                source: str = 'checkpoint') -> dict:
    """Convert a loaded official checkpoint.

    Args:
        checkpoint (Mapping): The loaded file.
        arch (str, optional): One of :data:`OFFICIAL_ARCHS`; defaults to
            the file's ``arch`` entry, else recognised from the keys.
        full (bool): The recognizer's state instead of the backbone's.
        source (str): File name for messages and meta.

    Returns:
        dict: ``{'state_dict': ..., 'meta': ...}``.

    Raises:
        ValueError: Not an official checkpoint, unknown or conflicting
            arch, missing, unexpected or misshapen keys (named).
    """
    state = _official_model_state(checkpoint, source)
    official = sub_state_dict(state, QUERY_BACKBONE)
    arch = _resolve_arch(checkpoint, official, arch, source)
    backbone = convert_official_backbone(official, arch, source)
    meta = dict(backbone=dict(OFFICIAL_ARCHS[arch]['backbone']), arch=arch,
                source=str(source), format='rspnet_mm.backbone')
    if isinstance(checkpoint.get('epoch'), int):
        meta['official_epoch'] = checkpoint['epoch']
    if not full:
        return dict(meta=meta, state_dict=OrderedDict(
            (f'backbone.{k}', v) for k, v in backbone.items()))
    state_dict = _full_state(state, arch, source, backbone)
    feat_dim = int(state_dict['rsp_head.fc.weight'].shape[0])
    meta.update(format='rspnet_mm.rspnet', feat_dim=feat_dim,
                queue_len=int(state_dict['queue'].shape[1]),
                heads=dict(proj_type='linear', feat_dim=feat_dim))
    return dict(state_dict=state_dict, meta=meta)
