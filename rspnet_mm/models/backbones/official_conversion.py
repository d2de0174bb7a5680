"""Convert checkpoints of the official RSPNet code (PeihaoChen/RSPNet).

An official pre-training checkpoint is a dict ``{'epoch', 'arch', 'model',
'best_loss', 'optimizer', 'scheduler'}`` whose ``model`` holds ``queue``
(128, K), ``queue_ptr`` (1,), the query encoder ``encoder_q.encoder.*``
with the heads ``encoder_q.fc1.2.*`` (A-VID) and ``encoder_q.fc2.2.*``
(RSP), and their momentum copies under ``encoder_k.``; keys may carry a
``module.`` prefix. :func:`convert_official_checkpoint` turns it into

* a backbone-only checkpoint ``{'state_dict': {'backbone.<key>': ...},
  'meta': {'backbone': <config>, 'arch', 'source', ...}}``, or
* (``full=True``) the state of this plugin's ``RSPNet`` recognizer
  (``backbone.*``, ``rsp_head.fc.*``, ``avid_head.fc.*``,
  ``key_encoder.module.{backbone,rsp_head,avid_head}.*``,
  ``key_encoder.steps``, ``queue``, ``queue_ptr``) for ``load_from``.

Both hold only tensors and plain values (``torch.load(weights_only=True)``
reads them).
"""
import copy
from collections import OrderedDict
from typing import Dict, Mapping, Optional

import torch
from mmaction.registry import MODELS
from torch import nn

from rspnet_mm.compat import load_checkpoint_file, trusted_checkpoints

from . import hara_resnet3d, s3dg, vcop_c3d, vcop_r2plus1d
from .backbone_checkpoint import check_backbone_state_dict
from .official_keys import official_key_of

QUERY_BACKBONE = 'encoder_q.encoder.'
KEY_BACKBONE = 'encoder_k.encoder.'
#: Official head prefix -> our head name (fc2 = g_m = RSP, fc1 = g_a).
HEADS = {'fc2.2.': 'rsp_head', 'fc1.2.': 'avid_head'}

#: Official ``arch`` -> our backbone config, a key only that arch has, and
#: the module holding ``convert_official_state_dict`` and
#: ``official_key_pairs``.
OFFICIAL_ARCHS = {
    'c3d': dict(backbone=dict(type='VCOPC3D'),
                signature='conv3a.weight',
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


def load_official_checkpoint(path: str, trust: bool = False) -> dict:
    """Read an official checkpoint file safely.

    Args:
        path (str): The ``.pth.tar`` file.
        trust (bool): Unpickle without the allow-list (only for files from
            a trusted source). Defaults to False.

    Returns:
        dict: The checkpoint.

    Raises:
        rspnet_mm.compat.UnsafeCheckpointError: The file needs objects
            outside the allow-list and ``trust`` is False.
        RuntimeError: Truncated or not a torch file.
    """
    if trust:
        with trusted_checkpoints():
            return load_checkpoint_file(path, map_location='cpu')
    return load_checkpoint_file(path, map_location='cpu')


def official_model_state(checkpoint: Mapping,
                         source: str) -> Dict[str, torch.Tensor]:
    """The pre-training state dict of an official checkpoint.

    Args:
        checkpoint (Mapping): The loaded file (``{'model': ...}``, or the
            bare state dict).
        source (str): File name for messages.

    Returns:
        dict[str, torch.Tensor]: Keys without a ``module.`` prefix.

    Raises:
        ValueError: Not an official RSPNet pre-training checkpoint.
    """
    if not isinstance(checkpoint, Mapping):
        raise ValueError(f'{source} holds a {type(checkpoint).__name__}, '
                         'not a checkpoint dict')
    model = checkpoint.get('model', checkpoint)
    if not isinstance(model, Mapping):
        raise ValueError(f"{source}: 'model' is a {type(model).__name__}, "
                         'not a state dict')
    state = OrderedDict(
        (k[len('module.'):] if k.startswith('module.') else k, v)
        for k, v in model.items())
    if not any(k.startswith(QUERY_BACKBONE) for k in state):
        hint = ''
        if any(k.startswith('backbone.') for k in state) or 'state_dict' in (
                checkpoint):
            hint = (' It looks like a checkpoint of this project: use '
                    'tools/extract_backbone.py instead.')
        raise ValueError(
            f'{source} is not an official RSPNet pre-training checkpoint: '
            f"no '{QUERY_BACKBONE}*' keys in its "
            f"{'model' if 'model' in checkpoint else 'top level'} (first "
            f'keys: {list(state)[:5]}).{hint}')
    return state


def detect_official_arch(backbone_state: Mapping[str, torch.Tensor]
                         ) -> Optional[str]:
    """Which official arch a backbone state dict belongs to.

    Args:
        backbone_state (Mapping[str, torch.Tensor]): Official keys without
            prefix.

    Returns:
        str | None: One of :data:`OFFICIAL_ARCHS`, None when no signature
        key is present.

    Raises:
        ValueError: Signature keys of several archs are present.
    """
    found = [
        arch for arch, spec in OFFICIAL_ARCHS.items()
        if spec['signature'] in backbone_state
    ]
    if len(found) > 1:
        raise ValueError(f'backbone keys match several archs {found}; pass '
                         '--arch')
    return found[0] if found else None


def _resolve_arch(checkpoint: Mapping, backbone_state: Mapping,
                  arch: Optional[str], source: str) -> str:
    detected = detect_official_arch(backbone_state)
    if arch is not None:
        given = '--arch'
    elif checkpoint.get('arch') is not None:
        arch, given = checkpoint['arch'], "its 'arch' entry"
    elif detected is not None:
        return detected
    else:
        raise ValueError(
            f'{source}: cannot tell the architecture: no arch given, no '
            "'arch' entry and the backbone keys match none of "
            f'{sorted(OFFICIAL_ARCHS)} (first keys: '
            f'{list(backbone_state)[:5]}); pass --arch')
    if arch not in OFFICIAL_ARCHS:
        raise ValueError(f'{source}: unsupported arch {arch!r} ({given}); '
                         f'supported: {sorted(OFFICIAL_ARCHS)}')
    if detected is not None and detected != arch:
        raise ValueError(
            f'{source}: {given} is {arch!r}, but the backbone keys are '
            f'those of {detected!r} (it has '
            f"{OFFICIAL_ARCHS[detected]['signature']!r}); use --arch "
            f'{detected} or a checkpoint of {arch}')
    return arch


def convert_official_backbone(backbone_state: Mapping[str, torch.Tensor],
                              arch: str,
                              source: str = 'state dict',
                              prefix: str = QUERY_BACKBONE
                              ) -> Dict[str, torch.Tensor]:
    """Rename official backbone keys and check them strictly.

    Args:
        backbone_state (Mapping[str, torch.Tensor]): Official keys without
            prefix.
        arch (str): One of :data:`OFFICIAL_ARCHS`.
        source (str): For messages. Defaults to 'state dict'.
        prefix (str): Official prefix the keys had, shown in messages.
            Defaults to ``encoder_q.encoder.``.

    Returns:
        dict[str, torch.Tensor]: Keys of our backbone, no prefix.

    Raises:
        BackboneStateError: Missing, unexpected or misshapen keys; missing
            keys are named as in the official file.
    """
    spec = OFFICIAL_ARCHS[arch]
    converted = spec['module'].convert_official_state_dict(backbone_state)
    pairs = spec['module'].official_key_pairs()
    model = build_backbone(spec['backbone'])
    check_backbone_state_dict(
        model,
        converted,
        source=f'{source} ({prefix}*)',
        describe=lambda k: f'{prefix}{official_key_of(k, pairs)}',
        hint=f'Expected an official {arch!r} backbone.')
    return converted


def build_backbone(cfg: Mapping) -> nn.Module:
    """Build a backbone config (a copy of it) from MMAction2's MODELS."""
    return MODELS.build(copy.deepcopy(dict(cfg)))


def _sub_state(state: Mapping, prefix: str) -> Dict[str, torch.Tensor]:
    return OrderedDict((k[len(prefix):], v) for k, v in state.items()
                       if k.startswith(prefix))


def _head_state(state: Mapping, role: str, ours: str,
                source: str) -> Dict[str, torch.Tensor]:
    out = OrderedDict()
    for official, head in HEADS.items():
        for param in ('weight', 'bias'):
            key = f'{role}{official}{param}'
            if key not in state:
                raise ValueError(
                    f'{source}: missing {key} (the {head} projection); '
                    "--full needs the official fc_type='linear' heads")
            out[f'{ours}{head}.fc.{param}'] = state[key]
    return out


def _full_state(state: Mapping, arch: str, source: str,
                query_backbone: Dict[str, torch.Tensor]
                ) -> Dict[str, torch.Tensor]:
    for key in ('queue', 'queue_ptr'):
        if key not in state:
            raise ValueError(f'{source}: missing {key!r}; --full needs the '
                             'MoCo queue')
    key_backbone = convert_official_backbone(
        _sub_state(state, KEY_BACKBONE), arch, source, prefix=KEY_BACKBONE)
    key_module = 'key_encoder.module.'
    out = OrderedDict(('backbone.' + k, v) for k, v in query_backbone.items())
    out.update(_head_state(state, 'encoder_q.', '', source))
    out.update((f'{key_module}backbone.{k}', v)
               for k, v in key_backbone.items())
    out.update(_head_state(state, 'encoder_k.', key_module, source))
    mapped = {f'{role}{head}{param}' for role in ('encoder_q.', 'encoder_k.')
              for head in HEADS for param in ('weight', 'bias')}
    unexpected = [
        k for k in state if k not in mapped and k not in ('queue', 'queue_ptr')
        and not k.startswith((QUERY_BACKBONE, KEY_BACKBONE))
    ]
    if unexpected:
        raise ValueError(
            f'{source}: keys --full cannot map: {unexpected[:5]} '
            f'({len(unexpected)} in all); only the linear heads are '
            'supported')
    feat_dim = out['rsp_head.fc.weight'].shape[0]
    queue = state['queue']
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

    The arch is ``arch`` if given, else the file's ``arch`` entry, else
    recognised from the keys; the backbone keys must then match it exactly
    (the official 1-output classifier is dropped).

    Args:
        checkpoint (Mapping): What :func:`load_official_checkpoint`
            returned.
        arch (str, optional): One of :data:`OFFICIAL_ARCHS`. Defaults to
            None.
        full (bool): Write the whole recognizer state instead of the
            backbone. Defaults to False.
        source (str): File name for messages and meta. Defaults to
            'checkpoint'.

    Returns:
        dict: ``{'state_dict': ..., 'meta': ...}`` (see the module doc).

    Raises:
        ValueError: Not an official checkpoint, unknown or conflicting
            arch, missing or unexpected keys, wrong shapes (the message says
            which).
    """
    state = official_model_state(checkpoint, source)
    backbone_state = _sub_state(state, QUERY_BACKBONE)
    arch = _resolve_arch(checkpoint, backbone_state, arch, source)
    backbone = convert_official_backbone(backbone_state, arch, source)
    cfg = dict(OFFICIAL_ARCHS[arch]['backbone'])
    meta = {
        'backbone': cfg,
        'arch': arch,
        'source': str(source),
        'format': 'rspnet_mm.backbone',
    }
    if isinstance(checkpoint.get('epoch'), int):
        meta['official_epoch'] = checkpoint['epoch']
    if not full:
        return {
            'state_dict':
            OrderedDict(('backbone.' + k, v) for k, v in backbone.items()),
            'meta':
            meta,
        }
    full_state = _full_state(state, arch, source, backbone)
    feat_dim = int(full_state['rsp_head.fc.weight'].shape[0])
    meta.update(
        format='rspnet_mm.rspnet',
        feat_dim=feat_dim,
        queue_len=int(full_state['queue'].shape[1]),
        heads=dict(proj_type='linear', feat_dim=feat_dim))
    return {'state_dict': full_state, 'meta': meta}
