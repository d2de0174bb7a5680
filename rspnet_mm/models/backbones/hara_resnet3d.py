"""3D ResNet of Hara et al. as used by RSPNet (``arch='resnet18'``).

Hara, Kataoka and Satoh, "Can Spatiotemporal 3D CNNs Retrace the History of
2D CNNs and ImageNet?", CVPR 2018 (https://arxiv.org/abs/1711.09577);
kenshohara/3D-ResNets-PyTorch ``models/resnet.py`` at 4e2195c.
"""
from typing import Dict, List, Mapping, Optional, Sequence

import torch
from mmaction.registry import MODELS
from mmcv.cnn import ConvModule
from torch import nn

from .base_video_backbone import BaseVideoBackbone
from .hara_basic_block import HaraBasicBlock
from .official_keys import PrefixPairs, conv_bn_pairs, rename_official_keys

#: Blocks per stage for the supported (basic-block) depths.
HARA_STAGE_BLOCKS = {10: (1, 1, 1, 1), 18: (2, 2, 2, 2), 34: (3, 4, 6, 3)}


def _stage_blocks(depth: int) -> Sequence[int]:
    if depth not in HARA_STAGE_BLOCKS:
        raise ValueError(f'HaraResNet3D: depth must be one of '
                         f'{sorted(HARA_STAGE_BLOCKS)}, got {depth!r}')
    return HARA_STAGE_BLOCKS[depth]


def official_key_pairs(depth: int = 18) -> PrefixPairs:
    """``(official, ours)`` key prefixes for the given depth.

    ``conv1``/``bn1`` become ``conv1.conv``/``conv1.bn``; in each block
    ``convK``/``bnK`` become ``convK.conv``/``convK.bn`` and
    ``downsample.0``/``downsample.1`` become ``downsample.conv``/
    ``downsample.bn``.
    """
    pairs = conv_bn_pairs('', 'conv1.', conv='conv1', bn='bn1')
    for i, blocks in enumerate(_stage_blocks(depth), 1):
        for b in range(blocks):
            block = f'layer{i}.{b}.'
            pairs += conv_bn_pairs(block, block + 'conv1.', 'conv1', 'bn1')
            pairs += conv_bn_pairs(block, block + 'conv2.', 'conv2', 'bn2')
            pairs += conv_bn_pairs(block, block + 'downsample.',
                                   'downsample.0', 'downsample.1')
    return pairs


def convert_official_state_dict(state_dict: Mapping[str, torch.Tensor],
                                depth: int = 18) -> Dict[str, torch.Tensor]:
    """Official ``resnet.ResNet`` keys to :class:`HaraResNet3D` keys.

    Args:
        state_dict (Mapping[str, torch.Tensor]): Official keys without
            prefix; the 1-output classifier ``fc.*`` is dropped.
        depth (int): Network depth. Defaults to 18.

    Returns:
        dict[str, torch.Tensor]: Keys of :class:`HaraResNet3D`.
    """
    return rename_official_keys(state_dict, official_key_pairs(depth),
                                drop_prefixes=('fc.', ))


@MODELS.register_module()
class HaraResNet3D(BaseVideoBackbone):
    """Hara et al.'s 3D ResNet with basic blocks and shortcut type B.

    Stem: 7x7x7 conv stride (1,2,2) + BN + ReLU, 3x3x3 max pool stride 2
    (temporal too). Stages 1-4 of basic blocks, 64/128/256/512 channels;
    stages 2-4 stride 2 in time and space. Input (N, 3, T, H, W) gives
    (N, 512, T/16, H/32, W/32) (ceil), e.g. (N, 512, 1, 4, 4) for
    16x112x112 — the official ``ResNet.get_feature``.

    Args:
        depth (int): 10, 18 (RSPNet) or 34. Defaults to 18.
        in_channels (int): Input channels. Defaults to 3.
        norm_cfg (dict, optional): BN config. Defaults to None (BN3d,
            PyTorch defaults eps 1e-5, momentum 0.1, as the official model).
        **kwargs: ``frozen_stages``, ``norm_eval``, ``pretrained``,
            ``init_cfg`` of :class:`BaseVideoBackbone`; stages are the stem
            and layer1..layer4.
    """

    out_channels = 512

    def __init__(self,
                 depth: int = 18,
                 in_channels: int = 3,
                 norm_cfg: Optional[dict] = None,
                 **kwargs) -> None:
        super().__init__(in_channels=in_channels, **kwargs)
        stage_blocks = _stage_blocks(depth)
        norm_cfg = norm_cfg or dict(type='BN3d')
        self.depth = depth
        self.conv1 = ConvModule(
            in_channels,
            64,
            kernel_size=7,
            stride=(1, 2, 2),
            padding=3,
            bias=False,
            conv_cfg=dict(type='Conv3d'),
            norm_cfg=norm_cfg,
            act_cfg=dict(type='ReLU'))
        self.maxpool = nn.MaxPool3d(kernel_size=3, stride=2, padding=1)
        channels = 64
        for i, blocks in enumerate(stage_blocks, 1):
            width = 64 * 2**(i - 1)
            layer = []
            for b in range(blocks):
                stride = 2 if i > 1 and b == 0 else 1
                layer.append(
                    HaraBasicBlock(channels, width, stride, norm_cfg))
                channels = width
            self.add_module(f'layer{i}', nn.Sequential(*layer))
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
            torch.Tensor: (N, 512, T/16, H/32, W/32) (ceil).
        """
        self._check_input(x)
        x = self.maxpool(self.conv1(x))  # [N, 64, T/2, H/4, W/4]
        for i in range(1, 5):
            x = getattr(self, f'layer{i}')(x)
        return x
