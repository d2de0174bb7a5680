"""Key renaming between the official RSPNet backbones and ours.

Each backbone module lists ``(official prefix, our prefix)`` pairs; a key is
renamed by its longest matching prefix. The same pairs, swapped, give the
official name of one of our keys for error messages.
"""
from collections import OrderedDict
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import torch

PrefixPairs = List[Tuple[str, str]]


def _swap_prefix(key: str, pairs: Sequence[Tuple[str, str]]) -> Optional[str]:
    best = None
    for old, new in pairs:
        if key.startswith(old) and (best is None or len(old) > len(best[0])):
            best = (old, new)
    return None if best is None else best[1] + key[len(best[0]):]


def rename_official_keys(
        state_dict: Mapping[str, torch.Tensor],
        pairs: Sequence[Tuple[str, str]],
        drop_prefixes: Sequence[str] = ()) -> Dict[str, torch.Tensor]:
    """Rename official backbone keys to ours.

    Args:
        state_dict (Mapping[str, torch.Tensor]): Official backbone keys, no
            ``encoder_q.encoder.`` prefix.
        pairs (Sequence[tuple[str, str]]): ``(official, ours)`` prefixes.
        drop_prefixes (Sequence[str]): Prefixes of keys to leave out (the
            official 1-output classifier). Defaults to ().

    Returns:
        dict[str, torch.Tensor]: Renamed keys in the original order. Keys
        no pair matches are kept as they are, so that a strict load reports
        them as unexpected.
    """
    out = OrderedDict()
    for key, value in state_dict.items():
        if key.startswith(tuple(drop_prefixes)):
            continue
        new = _swap_prefix(key, pairs)
        out[key if new is None else new] = value
    return out


def official_key_of(key: str, pairs: Sequence[Tuple[str, str]]) -> str:
    """Official name of one of our keys (the key itself when unknown).

    Args:
        key (str): Our backbone key.
        pairs (Sequence[tuple[str, str]]): ``(official, ours)`` prefixes.

    Returns:
        str: The official key.
    """
    old = _swap_prefix(key, [(new, old) for old, new in pairs])
    return key if old is None else old


def conv_bn_pairs(official: str, ours: str, conv: str = 'conv3d',
                  bn: str = 'bn') -> PrefixPairs:
    """Pairs for one conv + BN unit stored as ``<ours>conv`` and
    ``<ours>bn`` (an mmcv ``ConvModule``).

    Args:
        official (str): Official prefix of the unit, ending with '.'.
        ours (str): Our prefix of the unit, ending with '.'.
        conv (str): Official name of the conv. Defaults to 'conv3d'.
        bn (str): Official name of the BN. Defaults to 'bn'.

    Returns:
        list[tuple[str, str]]: Two pairs.
    """
    return [(f'{official}{conv}.', f'{ours}conv.'),
            (f'{official}{bn}.', f'{ours}bn.')]
