"""VCOP's R(2+1)D as used by RSPNet (``arch='r2plus1d-vcop'``).

Tran et al., "A Closer Look at Spatiotemporal Convolutions for Action
Recognition", CVPR 2018 (https://arxiv.org/abs/1711.11248), in the variant
of Xu et al.'s VCOP (CVPR 2019) that RSPNet's ``models/r2plus1d_vcop.py``
builds as ``R2Plus1DNet((1, 1, 1, 1))``.
"""
from typing import Dict, List, Mapping, Optional, Sequence

import torch
from mmaction.registry import MODELS
from mmcv.cnn import ConvModule
from torch import nn

from .base_video_backbone import BaseVideoBackbone
from .factorised_conv3d import FactorisedConv3d
from .factorised_res_block import FactorisedResBlock
from .official_keys import PrefixPairs, rename_official_keys


def _factorised_pairs(official: str, ours: str, bn: str) -> PrefixPairs:
    """Pairs for an official SpatioTemporalConv ``<official>`` followed by
    the BN ``bn`` into our ConvModule ``<ours>``."""
    return [(f'{official}spatial_conv.', f'{ours}conv.conv_s.'),
            (f'{official}bn.', f'{ours}conv.bn_s.'),
            (f'{official}temporal_conv.', f'{ours}conv.conv_t.'),
            (bn, f'{ours}bn.')]


def official_key_pairs(layer_sizes: Sequence[int] = (1, 1, 1,
                                                     1)) -> PrefixPairs:
    """``(official, ours)`` key prefixes.

    Official ``conv1``+``bn1`` become ``conv1`` (ConvModule); official
    ``conv{i+1}.block1`` / ``conv{i+1}.blocks.{j}`` become
    ``layer{i}.0`` / ``layer{i}.{j+1}``; in a block ``convK``+``bnK`` become
    ``convK`` and ``downsampleconv``+``downsamplebn`` become ``downsample``.
    """
    pairs = _factorised_pairs('conv1.', 'conv1.', 'bn1.')
    for i, blocks in enumerate(layer_sizes, 1):
        for b in range(blocks):
            official = (f'conv{i + 1}.block1.'
                        if b == 0 else f'conv{i + 1}.blocks.{b - 1}.')
            ours = f'layer{i}.{b}.'
            for k in (1, 2):
                pairs += _factorised_pairs(f'{official}conv{k}.',
                                           f'{ours}conv{k}.',
                                           f'{official}bn{k}.')
            pairs += _factorised_pairs(f'{official}downsampleconv.',
                                       f'{ours}downsample.',
                                       f'{official}downsamplebn.')
    return pairs


def convert_official_state_dict(
        state_dict: Mapping[str, torch.Tensor],
        layer_sizes: Sequence[int] = (1, 1, 1, 1)) -> Dict[str, torch.Tensor]:
    """Official ``R2Plus1DNet`` keys to :class:`VCOPR2Plus1D` keys.

    Args:
        state_dict (Mapping[str, torch.Tensor]): Official keys without
            prefix; the 1-output classifier ``linear.*`` is dropped.
        layer_sizes (Sequence[int]): Blocks per stage. Defaults to
            (1, 1, 1, 1).

    Returns:
        dict[str, torch.Tensor]: Keys of :class:`VCOPR2Plus1D`.
    """
    return rename_official_keys(state_dict, official_key_pairs(layer_sizes),
                                drop_prefixes=('linear.', ))


@MODELS.register_module()
class VCOPR2Plus1D(BaseVideoBackbone):
    """VCOP's R(2+1)D: (2+1)D stem and four residual stages.

    Stem: (3,7,7) factorised conv, stride (1,2,2), padding (1,3,3), + BN +
    ReLU, no max pool. Stages of :class:`FactorisedResBlock`, 64/128/256/512
    channels, stages 2-4 halve T, H and W. Input (N, 3, T, H, W) gives
    (N, 512, T/8, H/16, W/16) (ceil), e.g. (N, 512, 2, 7, 7) for 16x112x112
    — the official ``R2Plus1DNet.get_feature``.

    Args:
        layer_sizes (Sequence[int]): Blocks per stage. Defaults to
            (1, 1, 1, 1) (RSPNet; about an R(2+1)D-10).
        in_channels (int): Input channels. Defaults to 3.
        norm_cfg (dict, optional): BN config. Defaults to None (BN3d,
            PyTorch defaults eps 1e-5, momentum 0.1, as the official model).
        **kwargs: ``frozen_stages``, ``norm_eval``, ``pretrained``,
            ``init_cfg`` of :class:`BaseVideoBackbone`; stages are the stem
            and layer1..layer4.
    """

    out_channels = 512

    def __init__(self,
                 layer_sizes: Sequence[int] = (1, 1, 1, 1),
                 in_channels: int = 3,
                 norm_cfg: Optional[dict] = None,
                 **kwargs) -> None:
        super().__init__(in_channels=in_channels, **kwargs)
        if len(layer_sizes) != 4 or min(layer_sizes) < 1:
            raise ValueError('VCOPR2Plus1D: layer_sizes must be 4 positive '
                             f'ints, got {layer_sizes!r}')
        norm_cfg = norm_cfg or dict(type='BN3d')
        self.layer_sizes = tuple(layer_sizes)
        self.conv1 = ConvModule(
            in_channels,
            64, (3, 7, 7),
            stride=(1, 2, 2),
            padding=(1, 3, 3),
            bias=False,
            conv_cfg=dict(type=FactorisedConv3d, norm_cfg=norm_cfg),
            norm_cfg=norm_cfg,
            act_cfg=dict(type='ReLU'))
        channels = 64
        for i, blocks in enumerate(layer_sizes, 1):
            width = 64 * 2**(i - 1)
            layer = [
                FactorisedResBlock(
                    channels if b == 0 else width,
                    width,
                    downsample=(i > 1 and b == 0),
                    norm_cfg=norm_cfg) for b in range(blocks)
            ]
            self.add_module(f'layer{i}', nn.Sequential(*layer))
            channels = width
        self._freeze_stages()

    def stage_modules(self) -> List[Sequence[nn.Module]]:
        """Stem conv, then layer1..layer4."""
        return [[self.conv1]] + [[getattr(self, f'layer{i}')]
                                 for i in range(1, 5)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Feature map before global pooling.

        Args:
            x (torch.Tensor): Clips (N, C, T, H, W).

        Returns:
            torch.Tensor: (N, 512, T/8, H/16, W/16) (ceil).
        """
        self._check_input(x)
        x = self.conv1(x)  # [N, 64, T, H/2, W/2]
        for i in range(1, 5):
            x = getattr(self, f'layer{i}')(x)
        return x
