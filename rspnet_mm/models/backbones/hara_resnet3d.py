"""3D ResNet of Hara et al. as used by RSPNet (``arch='resnet18'``).

Hara, Kataoka and Satoh, "Can Spatiotemporal 3D CNNs Retrace the History of
2D CNNs and ImageNet?", CVPR 2018 (https://arxiv.org/abs/1711.09577);
kenshohara/3D-ResNets-PyTorch ``models/resnet.py`` at 4e2195c.
"""
from typing import List, Sequence

import torch
from mmaction.registry import MODELS
from mmcv.cnn import ConvModule
from torch import nn

from .base_video_backbone import BaseVideoBackbone

#: Blocks per stage for the supported (basic-block) depths.
HARA_STAGE_BLOCKS = {10: (1, 1, 1, 1), 18: (2, 2, 2, 2), 34: (3, 4, 6, 3)}

#: Official ``resnet.ResNet`` key parts -> ours, in order (see
#: ``official_conversion.rename_key``), for the stem and every block.
OFFICIAL_KEYS = [('conv1.', 'conv1.conv.'), ('conv2.', 'conv2.conv.'),
                 ('bn1.', 'conv1.bn.'), ('bn2.', 'conv2.bn.'),
                 ('downsample.0.', 'downsample.conv.'),
                 ('downsample.1.', 'downsample.bn.')]
#: The official 1-output classifier, not converted.
OFFICIAL_CLASSIFIER = 'fc.'


def _conv_bn(cin: int, cout: int, kernel: int, norm_cfg: dict, stride=1,
             padding=0, relu: bool = False) -> ConvModule:
    return ConvModule(cin, cout, kernel, stride=stride, padding=padding,
                      bias=False, conv_cfg=dict(type='Conv3d'),
                      norm_cfg=norm_cfg,
                      act_cfg=dict(type='ReLU') if relu else None)


class HaraBasicBlock(nn.Module):
    """Two 3x3x3 conv + BN units and a shortcut, then ReLU.

    The first conv carries the stride (temporal and spatial alike). With
    shortcut type B the shortcut is a strided 1x1x1 conv + BN whenever the
    stride or the width changes, else the identity.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        stride (int): Stride of the first conv and of the shortcut.
        norm_cfg (dict): BN config.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int,
                 norm_cfg: dict) -> None:
        super().__init__()
        self.conv1 = _conv_bn(in_channels, out_channels, 3, norm_cfg,
                              stride=stride, padding=1, relu=True)
        self.conv2 = _conv_bn(out_channels, out_channels, 3, norm_cfg,
                              padding=1)
        self.downsample = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = _conv_bn(in_channels, out_channels, 1,
                                       norm_cfg, stride=stride)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C_in, T, H, W) -> (N, C_out, T/s, H/s, W/s) (ceil)."""
        identity = x if self.downsample is None else self.downsample(x)
        out = self.conv2(self.conv1(x))  # [N, C_out, T/s, H/s, W/s]
        return self.relu(out + identity)


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
        **kwargs: ``norm_cfg`` (default BN3d with PyTorch's eps 1e-5,
            momentum 0.1, as the official model), ``frozen_stages``,
            ``norm_eval``, ``pretrained``, ``init_cfg`` of
            :class:`BaseVideoBackbone`; stages are the stem and
            layer1..layer4.
    """

    out_channels = 512

    def __init__(self, depth: int = 18, in_channels: int = 3,
                 **kwargs) -> None:
        super().__init__(in_channels=in_channels, **kwargs)
        if depth not in HARA_STAGE_BLOCKS:
            raise ValueError(f'HaraResNet3D: depth must be one of '
                             f'{sorted(HARA_STAGE_BLOCKS)}, got {depth!r}')
        self.depth = depth
        self.conv1 = _conv_bn(in_channels, 64, 7, self.norm_cfg,
                              stride=(1, 2, 2), padding=3, relu=True)
        self.maxpool = nn.MaxPool3d(kernel_size=3, stride=2, padding=1)
        channels = 64
        for i, blocks in enumerate(HARA_STAGE_BLOCKS[depth], 1):
            width = 64 * 2**(i - 1)
            layer = []
            for b in range(blocks):
                stride = 2 if i > 1 and b == 0 else 1
                layer.append(
                    HaraBasicBlock(channels, width, stride, self.norm_cfg))
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
            x (torch.Tensor): Clips (N, 3, T, H, W).

        Returns:
            torch.Tensor: (N, 512, T/16, H/32, W/32) (ceil).
        """
        self._check_input(x)
        x = self.conv1(x)  # [N, 64, T, H/2, W/2]
        x = self.maxpool(x)  # [N, 64, T/2, H/4, W/4]
        x = self.layer1(x)  # [N, 64, T/2, H/4, W/4]
        x = self.layer2(x)  # [N, 128, T/4, H/8, W/8]
        x = self.layer3(x)  # [N, 256, T/8, H/16, W/16]
        return self.layer4(x)  # [N, 512, T/16, H/32, W/32]
