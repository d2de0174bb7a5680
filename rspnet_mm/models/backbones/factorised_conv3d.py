"""(2+1)D convolution with VCOP's intermediate width."""
import math
from typing import Optional, Tuple, Union

import torch
from mmcv.cnn import build_norm_layer
from torch import nn
from torch.nn.modules.utils import _triple

IntOrTriple = Union[int, Tuple[int, int, int]]


def vcop_mid_channels(in_channels: int, out_channels: int,
                      kernel_size: Tuple[int, int, int]) -> int:
    """Width M between the spatial and the temporal conv.

    Tran et al. (R(2+1)D, CVPR 2018, Sec. 3.5) choose M so that the
    factorised conv has about the parameters of the full one:
    ``M = floor(t*h*w*C_in*C_out / (h*w*C_in + t*C_out))``. VCOP applies it
    with the real kernel, also for 1x1x1 shortcut convs (so M = 42 for
    64 -> 128).

    Args:
        in_channels (int): C_in.
        out_channels (int): C_out.
        kernel_size (tuple[int, int, int]): (t, h, w).

    Returns:
        int: M.
    """
    t, h, w = kernel_size
    return math.floor(t * h * w * in_channels * out_channels /
                      (h * w * in_channels + t * out_channels))


class FactorisedConv3d(nn.Module):
    """Spatial (1,h,w) conv + BN + ReLU, then temporal (t,1,1) conv.

    Behaves like one ``nn.Conv3d`` of kernel (t,h,w) (it exposes the same
    attributes, so mmcv's ``ConvModule`` can wrap it via
    ``conv_cfg=dict(type=FactorisedConv3d)``); BN and activation after the
    temporal conv belong to the caller.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        kernel_size (int | tuple[int, int, int]): (t, h, w).
        stride (int | tuple[int, int, int]): Spatial part to the spatial
            conv, temporal part to the temporal conv. Defaults to 1.
        padding (int | tuple[int, int, int]): Split the same way.
            Defaults to 0.
        dilation (int | tuple[int, int, int]): Must be 1 (accepted for
            ``ConvModule``). Defaults to 1.
        groups (int): Must be 1. Defaults to 1.
        bias (bool): Conv biases. Defaults to False.
        norm_cfg (dict, optional): BN of the intermediate features.
            Defaults to None (BN3d, PyTorch defaults).
        mid_channels (int, optional): M; defaults to
            :func:`vcop_mid_channels`.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 kernel_size: IntOrTriple,
                 stride: IntOrTriple = 1,
                 padding: IntOrTriple = 0,
                 dilation: IntOrTriple = 1,
                 groups: int = 1,
                 bias: bool = False,
                 norm_cfg: Optional[dict] = None,
                 mid_channels: Optional[int] = None) -> None:
        super().__init__()
        kernel_size, stride = _triple(kernel_size), _triple(stride)
        padding = _triple(padding)
        if _triple(dilation) != (1, 1, 1) or groups != 1:
            raise ValueError('FactorisedConv3d supports only dilation 1 and '
                             f'groups 1, got {dilation!r}, {groups!r}')
        if mid_channels is None:
            mid_channels = vcop_mid_channels(in_channels, out_channels,
                                             kernel_size)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.mid_channels = mid_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = (1, 1, 1)
        self.transposed = False
        self.output_padding = (0, 0, 0)
        self.groups = 1
        self.conv_s = nn.Conv3d(
            in_channels,
            mid_channels, (1, ) + kernel_size[1:],
            stride=(1, ) + stride[1:],
            padding=(0, ) + padding[1:],
            bias=bias)
        self.bn_s = build_norm_layer(norm_cfg or dict(type='BN3d'),
                                     mid_channels)[1]
        self.relu = nn.ReLU(inplace=True)
        self.conv_t = nn.Conv3d(
            mid_channels,
            out_channels, (kernel_size[0], 1, 1),
            stride=(stride[0], 1, 1),
            padding=(padding[0], 0, 0),
            bias=bias)

    def init_weights(self) -> None:
        """Kaiming-normal convs (fan_out, ReLU), BN weight 1 and bias 0."""
        for conv in (self.conv_s, self.conv_t):
            nn.init.kaiming_normal_(
                conv.weight, mode='fan_out', nonlinearity='relu')
            if conv.bias is not None:
                nn.init.zeros_(conv.bias)
        nn.init.ones_(self.bn_s.weight)
        nn.init.zeros_(self.bn_s.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Factorised convolution.

        Args:
            x (torch.Tensor): (N, in_channels, T, H, W).

        Returns:
            torch.Tensor: (N, out_channels, T', H', W') as a Conv3d with the
            same kernel, stride and padding would give.
        """
        x = self.relu(self.bn_s(self.conv_s(x)))  # [N, M, T, H', W']
        return self.conv_t(x)
