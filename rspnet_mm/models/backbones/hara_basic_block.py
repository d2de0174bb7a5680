"""Basic residual block of Hara et al.'s 3D ResNets."""
from typing import Optional

import torch
from mmcv.cnn import ConvModule
from torch import nn


class HaraBasicBlock(nn.Module):
    """Two 3x3x3 conv + BN units and a shortcut, then ReLU.

    The first conv carries the stride (temporal and spatial alike). With
    shortcut type B the shortcut is a strided 1x1x1 conv + BN whenever the
    stride or the width changes, else the identity.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        stride (int): Stride of the first conv and of the shortcut.
            Defaults to 1.
        norm_cfg (dict, optional): BN config. Defaults to None (BN3d,
            PyTorch defaults).
    """

    expansion = 1

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 stride: int = 1,
                 norm_cfg: Optional[dict] = None) -> None:
        super().__init__()
        norm_cfg = norm_cfg or dict(type='BN3d')
        common = dict(
            conv_cfg=dict(type='Conv3d'), norm_cfg=norm_cfg, bias=False)
        self.conv1 = ConvModule(
            in_channels,
            out_channels,
            3,
            stride=stride,
            padding=1,
            act_cfg=dict(type='ReLU'),
            **common)
        self.conv2 = ConvModule(
            out_channels, out_channels, 3, padding=1, act_cfg=None, **common)
        self.downsample = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = ConvModule(
                in_channels,
                out_channels,
                1,
                stride=stride,
                act_cfg=None,
                **common)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Residual unit.

        Args:
            x (torch.Tensor): (N, in_channels, T, H, W).

        Returns:
            torch.Tensor: (N, out_channels, T/stride, H/stride, W/stride)
            (ceil).
        """
        identity = x if self.downsample is None else self.downsample(x)
        out = self.conv2(self.conv1(x))  # [N, out, T', H', W']
        return self.relu(out + identity)
