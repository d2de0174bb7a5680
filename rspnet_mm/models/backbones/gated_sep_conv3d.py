"""Separable 3D convolution with S3D-G feature gating."""
from typing import Optional, Tuple, Union

import torch
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from torch import nn
from torch.nn.modules.utils import _triple


class GatedSepConv3d(nn.Module):
    """(1,k,k) conv + BN + ReLU, (k,1,1) conv + BN + ReLU, then a gate.

    Gate (Xie et al., S3D-G, Eq. 1): ``y = x * sigmoid(W pool(x) + b)`` with
    ``pool`` the global average over T, H, W and ``W`` a 1x1x1 conv with
    bias, i.e. one weight per channel and clip.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels (of both convs).
        kernel_size (int): k.
        stride (int | tuple[int, int, int]): Stride of the *spatial* conv,
            all three axes (the official stem uses 2, so it also drops every
            other frame); the temporal conv has stride 1. Defaults to 1.
        padding (int): p; (0,p,p) for the spatial and (p,0,0) for the
            temporal conv. Defaults to 0.
        gate (bool): Apply the feature gate. Defaults to True.
        norm_cfg (dict, optional): BN config. Defaults to None (BN3d with
            eps 1e-3, momentum 1e-3 as the official S3D-G).
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 kernel_size: int,
                 stride: Union[int, Tuple[int, int, int]] = 1,
                 padding: int = 0,
                 gate: bool = True,
                 norm_cfg: Optional[dict] = None) -> None:
        super().__init__()
        norm_cfg = norm_cfg or dict(type='BN3d', eps=1e-3, momentum=1e-3)
        common = dict(
            bias=False,
            conv_cfg=dict(type='Conv3d'),
            norm_cfg=norm_cfg,
            act_cfg=dict(type='ReLU'))
        self.conv_s = ConvModule(
            in_channels,
            out_channels, (1, kernel_size, kernel_size),
            stride=_triple(stride),
            padding=(0, padding, padding),
            **common)
        self.conv_t = ConvModule(
            out_channels,
            out_channels, (kernel_size, 1, 1),
            padding=(padding, 0, 0),
            **common)
        self.gate = nn.Conv3d(out_channels, out_channels, 1) if gate else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Separable conv and gating.

        Args:
            x (torch.Tensor): (N, in_channels, T, H, W).

        Returns:
            torch.Tensor: (N, out_channels, T', H', W').
        """
        x = self.conv_t(self.conv_s(x))  # [N, C, T', H', W']
        if self.gate is None:
            return x
        weight = self.gate(F.adaptive_avg_pool3d(x, 1))  # [N, C, 1, 1, 1]
        return torch.sigmoid(weight) * x
