"""Regenerate official RSPNet weights from a fixture manifest.

The fixtures in ``../shared/fixtures/official`` were produced by running the
official code on weights filled by a rule that depends only on each key's
name and shape (see the fixture README). These functions apply that rule,
so tests can rebuild the same weights in the official layout and check our
backbones and converters against the stored features.
"""
import json
import math
import zlib
from collections import OrderedDict
from os import PathLike
from pathlib import Path
from typing import Dict, Sequence, Tuple, Union

import numpy as np
import torch
from torch import nn

# OFFICIAL_ARCHS: every arch of the converter has a <arch>_manifest.json.
from rspnet_mm.models.backbones.official_conversion import (  # noqa: F401
    OFFICIAL_ARCHS,
    convert_official_state_dict,
)

_DTYPES = {'float32': torch.float32, 'int64': torch.int64}
ManifestLike = Union[str, PathLike, dict]


def load_manifest(manifest: ManifestLike) -> dict:
    """Read ``<arch>_manifest.json`` (a dict is returned unchanged).

    Args:
        manifest (str | PathLike | dict): Path or already-read manifest.

    Returns:
        dict: The manifest.
    """
    if isinstance(manifest, dict):
        return manifest
    with open(manifest) as f:
        return json.load(f)


def fill_official_tensor(key: str, shape: Sequence[int]) -> torch.Tensor:
    """The fixture weight-fill rule for one official backbone key.

    Args:
        key (str): Official backbone key without prefix (it seeds the
            generator via crc32).
        shape (Sequence[int]): Tensor shape.

    Returns:
        torch.Tensor: int64 zeros for ``num_batches_tracked``, else float32.
    """
    size = torch.Size(shape)
    gen = torch.Generator().manual_seed(zlib.crc32(key.encode()))
    if key.endswith('num_batches_tracked'):
        return torch.zeros(size, dtype=torch.int64)
    if key.endswith('running_var'):
        return torch.rand(size, generator=gen) + 0.5
    if key.endswith('running_mean'):
        return torch.randn(size, generator=gen) * 0.1
    if len(size) >= 2:
        return torch.randn(size, generator=gen) * math.sqrt(
            2 / math.prod(size[1:]))
    if key.endswith('weight'):
        return 1 + 0.1 * torch.randn(size, generator=gen)
    return 0.1 * torch.randn(size, generator=gen)


def official_backbone_weights(
        manifest: ManifestLike) -> Dict[str, torch.Tensor]:
    """Official backbone state dict (no prefix, classifier included).

    Args:
        manifest (str | PathLike | dict): ``<arch>_manifest.json``.

    Returns:
        dict[str, torch.Tensor]: In the manifest's key order.
    """
    entries = load_manifest(manifest)['backbone_state_dict']
    return OrderedDict(
        (key, fill_official_tensor(key, shape)) for key, shape, _ in entries)


def official_input(shape: Sequence[int] = (2, 3, 16, 112, 112),
                   seed: int = 0) -> torch.Tensor:
    """The fixture input rule: ``torch.randn(shape)`` seeded with ``seed``.

    Args:
        shape (Sequence[int]): Defaults to (2, 3, 16, 112, 112).
        seed (int): Defaults to 0.

    Returns:
        torch.Tensor: float32 clips (N, 3, T, H, W).
    """
    return torch.randn(
        tuple(shape), generator=torch.Generator().manual_seed(seed))


def run_on_official_fixture(
        model: nn.Module, fixtures: Union[str, PathLike], arch: str
) -> Tuple[np.ndarray, dict, Dict[str, np.ndarray]]:
    """Load the official weights of ``arch`` into ``model`` (converted,
    strictly) and run it on the fixture's input, for comparison with the
    features of the official code.

    Args:
        model (nn.Module): Our backbone, built with the official settings.
        fixtures (str | PathLike): The ``fixtures/official`` folder.
        arch (str): One of :data:`OFFICIAL_ARCHS`.

    Returns:
        tuple: ``model``'s features in eval mode (numpy, (N, C, T', H',
        W')), the manifest, and the official outputs
        ``<arch>_reference.npz`` (``input``, ``features``, ``pooled``).
    """
    fixtures = Path(fixtures)
    manifest = load_manifest(fixtures / f'{arch}_manifest.json')
    official = dict(np.load(fixtures / f'{arch}_reference.npz'))
    model.load_state_dict(convert_official_state_dict(
        official_backbone_weights(manifest), arch), strict=True)
    model.eval()
    with torch.no_grad():
        features = model(torch.from_numpy(official['input'])).numpy()
    return features, manifest, official


def assert_close_to_official(features: np.ndarray,
                             official: Dict[str, np.ndarray],
                             tol: float = 1e-4) -> None:
    """Assert that features (N, C, T', H', W') and their global mean equal
    the official ``features`` and ``pooled`` within ``tol`` (absolute and
    relative)."""
    np.testing.assert_allclose(features, official['features'], rtol=tol,
                               atol=tol)
    np.testing.assert_allclose(features.mean((2, 3, 4)), official['pooled'],
                               rtol=tol, atol=tol)


def official_pretrain_state_dict(manifest: ManifestLike,
                                 seed: int = 0,
                                 module_prefix: bool = False
                                 ) -> Dict[str, torch.Tensor]:
    """An official pre-training state dict (``states['model']``).

    Every key of the manifest's ``pretrain_state_dict`` in its order:
    regenerated backbone weights under ``encoder_q.encoder.`` and copies
    under ``encoder_k.encoder.``; random heads (``encoder_{q,k}.fc{1,2}.2``,
    the key copies equal to the query ones) and a column-normalised random
    queue from ``seed``; ``queue_ptr`` 0.

    Args:
        manifest (str | PathLike | dict): ``<arch>_manifest.json``.
        seed (int): Seed of heads and queue. Defaults to 0.
        module_prefix (bool): Prefix every key with ``module.`` (a
            DDP-wrapped save). Defaults to False.

    Returns:
        dict[str, torch.Tensor]: The state dict.

    Raises:
        ValueError: A generated tensor disagrees with the manifest.
    """
    manifest = load_manifest(manifest)
    backbone = official_backbone_weights(manifest)
    gen = torch.Generator().manual_seed(seed)
    query = {}
    out = OrderedDict()
    for key, shape, dtype in manifest['pretrain_state_dict']:
        if key == 'queue':
            value = torch.nn.functional.normalize(
                torch.randn(shape, generator=gen), dim=0)
        elif key == 'queue_ptr':
            value = torch.zeros(shape, dtype=torch.int64)
        elif key.startswith(('encoder_q.encoder.', 'encoder_k.encoder.')):
            value = backbone[key[len('encoder_q.encoder.'):]].clone()
        elif key.startswith('encoder_q.'):
            value = 0.05 * torch.randn(shape, generator=gen)
            query[key[len('encoder_q.'):]] = value
        elif key.startswith('encoder_k.'):
            value = query[key[len('encoder_k.'):]].clone()
        else:
            raise ValueError(f'unknown key {key} in the manifest')
        if list(value.shape) != list(shape) or value.dtype != _DTYPES[dtype]:
            raise ValueError(f'{key}: made {tuple(value.shape)} '
                             f'{value.dtype}, manifest says {shape} {dtype}')
        out[('module.' if module_prefix else '') + key] = value
    return out


def official_checkpoint(manifest: ManifestLike,
                        with_arch: bool = True,
                        module_prefix: bool = False,
                        seed: int = 0) -> dict:
    """A checkpoint dict as the official ``pretrain.py`` saves it.

    Args:
        manifest (str | PathLike | dict): ``<arch>_manifest.json``.
        with_arch (bool): Include the ``arch`` entry. Defaults to True.
        module_prefix (bool): ``module.``-prefixed model keys. Defaults to
            False.
        seed (int): Seed of heads and queue. Defaults to 0.

    Returns:
        dict: ``epoch``, ``model``, ``best_loss``, ``optimizer``,
        ``scheduler`` and (with ``with_arch``) ``arch``.
    """
    manifest = load_manifest(manifest)
    checkpoint = {
        'epoch': 200,
        'model': official_pretrain_state_dict(manifest, seed, module_prefix),
        'best_loss': 9.5,
        'optimizer': {
            'state': {},
            'param_groups': [{'lr': 0.1, 'momentum': 0.9, 'params': [0]}]
        },
        'scheduler': {
            'last_epoch': 200,
            'base_lrs': [0.1]
        },
    }
    if with_arch:
        checkpoint['arch'] = manifest['arch_key']
    return checkpoint
