"""Residual block of (2+1)D convolutions (VCOP's R(2+1)D)."""
from typing import Optional

import torch
from mmcv.cnn import ConvModule
from torch import nn

from .factorised_conv3d import FactorisedConv3d


class FactorisedResBlock(nn.Module):
    """Two 3x3x3 (2+1)D conv + BN units and a shortcut, then ReLU.

    With ``downsample`` the first conv has stride 2 in time and space and
    the shortcut is a 1x1x1 (2+1)D conv with stride 2 + BN (VCOP's
    ``downsampleconv``/``downsamplebn``); otherwise the shortcut is the
    identity.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        downsample (bool): Halve T, H and W. Defaults to False.
        norm_cfg (dict, optional): BN config. Defaults to None (BN3d,
            PyTorch defaults).
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 downsample: bool = False,
                 norm_cfg: Optional[dict] = None) -> None:
        super().__init__()
        norm_cfg = norm_cfg or dict(type='BN3d')
        stride = 2 if downsample else 1

        def unit(cin, kernel, stride, padding, act):
            return ConvModule(
                cin,
                out_channels,
                kernel,
                stride=stride,
                padding=padding,
                bias=False,
                conv_cfg=dict(type=FactorisedConv3d, norm_cfg=norm_cfg),
                norm_cfg=norm_cfg,
                act_cfg=dict(type='ReLU') if act else None)

        self.conv1 = unit(in_channels, 3, stride, 1, act=True)
        self.conv2 = unit(out_channels, 3, 1, 1, act=False)
        self.downsample = unit(in_channels, 1, 2, 0,
                               act=False) if downsample else None
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Residual unit.

        Args:
            x (torch.Tensor): (N, in_channels, T, H, W).

        Returns:
            torch.Tensor: (N, out_channels, T', H', W'), halved (ceil) with
            ``downsample``.
        """
        out = self.conv2(self.conv1(x))  # [N, out, T', H', W']
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(identity + out)
