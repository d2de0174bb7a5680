"""Pooling + projection to an L2-normalised embedding (RSPNet's g_a, g_m)."""
from typing import Optional

import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmaction.utils import OptConfigType
from mmengine.model import BaseModule
from torch import Tensor

PROJ_TYPES = ('linear', 'mlp')


@MODELS.register_module()
class VideoProjectionHead(BaseModule):
    """Global average pool, projection, L2 normalisation.

    The official RSPNet head (``fc_type='linear'``) is
    ``AdaptiveAvgPool3d(1) -> Flatten -> Linear(C, feat_dim)`` followed by
    ``F.normalize``. ``proj_type='mlp'`` inserts a hidden layer:
    ``Linear(C, hidden) -> BatchNorm1d -> ReLU -> Linear(hidden, feat_dim)``;
    with a plain linear head a small model's RSP loss can sit exactly at the
    margin from initialisation (all embeddings nearly equal).

    The final linear layer is always the attribute ``fc`` (state keys
    ``fc.weight``, ``fc.bias``), so official linear heads load directly.

    Args:
        in_channels (int): Channels C of the backbone feature.
        feat_dim (int): Embedding size. Defaults to 128.
        proj_type (str): ``'linear'`` or ``'mlp'``. Defaults to ``'linear'``.
        hidden_channels (int, optional): Hidden width of the MLP. Defaults
            to ``in_channels``.
        init_cfg (dict, optional): Initialisation config. Defaults to None
            (PyTorch's default ``nn.Linear`` init, as the official code).
    """

    def __init__(self,
                 in_channels: int,
                 feat_dim: int = 128,
                 proj_type: str = 'linear',
                 hidden_channels: Optional[int] = None,
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if proj_type not in PROJ_TYPES:
            raise ValueError(f'{type(self).__name__}: proj_type must be one '
                             f'of {PROJ_TYPES}, got {proj_type!r}')
        for name, value in (('in_channels', in_channels),
                            ('feat_dim', feat_dim)):
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f'{type(self).__name__}: {name} must be a '
                                 f'positive int, got {value!r}')
        self.in_channels = in_channels
        self.feat_dim = feat_dim
        self.proj_type = proj_type
        fc_in = in_channels
        if proj_type == 'mlp':
            hidden = hidden_channels or in_channels
            self.fc_hidden = nn.Linear(in_channels, hidden)
            self.bn_hidden = nn.BatchNorm1d(hidden)
            fc_in = hidden
        self.fc = nn.Linear(fc_in, feat_dim)

    def pool(self, feat: Tensor) -> Tensor:
        """Global average pool a feature map to vectors.

        Args:
            feat (Tensor): Shape (N, C, T, H, W), or already pooled (N, C)
                (e.g. MMAction2's C3D, whose output follows fc7).

        Returns:
            Tensor: Shape (N, C).
        """
        if isinstance(feat, tuple | list):
            raise TypeError(
                f'{type(self).__name__} takes one feature map, got a '
                f'{type(feat).__name__} of {len(feat)}: configure the '
                'backbone with a single output stage (e.g. out_indices=(3,))')
        if feat.dim() == 5:
            feat = feat.mean(dim=(2, 3, 4))  # [N, C, T, H, W] -> [N, C]
        elif feat.dim() != 2:
            raise ValueError(
                f'{type(self).__name__} expects features of shape '
                f'(N, C, T, H, W) or (N, C), got {tuple(feat.shape)}')
        if feat.shape[1] != self.in_channels:
            raise ValueError(
                f'{type(self).__name__}: in_channels={self.in_channels} but '
                f'the features have C={feat.shape[1]} (shape '
                f'{tuple(feat.shape)}); set in_channels to the backbone\'s '
                'out_channels')
        return feat

    def forward(self, feat: Tensor) -> Tensor:
        """Embed backbone features.

        Args:
            feat (Tensor): Shape (N, C, T, H, W) or (N, C).

        Returns:
            Tensor: L2-normalised embeddings, shape (N, feat_dim).
        """
        x = self.pool(feat)  # [N, C]
        if self.proj_type == 'mlp':
            x = F.relu(self.bn_hidden(self.fc_hidden(x)))  # [N, hidden]
        x = self.fc(x)  # [N, feat_dim]
        return F.normalize(x, dim=1)


def check_embeddings(owner: str, feat_dim: int, **named: Tensor) -> int:
    """Check that embeddings are (N, feat_dim) with one N.

    Args:
        owner (str): Name used in the error message.
        feat_dim (int): Expected embedding size.
        **named (Tensor): The embeddings, by argument name.

    Returns:
        int: The batch size N.
    """
    sizes = {}
    for name, value in named.items():
        if value.dim() != 2 or value.shape[1] != feat_dim:
            raise ValueError(
                f'{owner}.loss: {name} must have shape (N, {feat_dim}), got '
                f'{tuple(value.shape)}')
        sizes[name] = value.shape[0]
    if len(set(sizes.values())) != 1:
        raise ValueError(f'{owner}.loss: batch sizes differ: {sizes}')
    return next(iter(sizes.values()))
