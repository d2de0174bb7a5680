"""VCOP's R(2+1)D as used by RSPNet (``arch='r2plus1d-vcop'``), with its
blocks.

Tran et al., "A Closer Look at Spatiotemporal Convolutions for Action
Recognition", CVPR 2018 (https://arxiv.org/abs/1711.11248), in the variant
of Xu et al.'s VCOP (CVPR 2019) that RSPNet's ``models/r2plus1d_vcop.py``
builds as ``R2Plus1DNet((1, 1, 1, 1))``.
"""
import math
from typing import List, Optional, Sequence, Tuple, Union

import torch
from mmaction.registry import MODELS
from mmcv.cnn import ConvModule, build_norm_layer
from torch import nn
from torch.nn.modules.utils import _triple

from .base_video_backbone import BaseVideoBackbone

IntOrTriple = Union[int, Tuple[int, int, int]]


def official_keys(layer_sizes: Sequence[int] = (1, 1, 1, 1)
                  ) -> List[Tuple[str, str]]:
    """Official ``R2Plus1DNet`` key parts -> ours, in order (see
    ``official_conversion.rename_key``).

    In a SpatioTemporalConv ``spatial_conv``/``bn``/``temporal_conv``
    become ``conv.conv_s``/``conv.bn_s``/``conv.conv_t``; ``bnK`` after it
    becomes ``convK.bn``; ``downsampleconv``/``downsamplebn`` become
    ``downsample``/``downsample.bn``; ``conv{i+1}.block1`` /
    ``conv{i+1}.blocks.{j}`` become ``layer{i}.0`` / ``layer{i}.{j+1}``.
    """
    pairs = [('spatial_conv.', 'conv.conv_s.'),
             ('temporal_conv.', 'conv.conv_t.'), ('bn.', 'conv.bn_s.'),
             ('bn1.', 'conv1.bn.'), ('bn2.', 'conv2.bn.'),
             ('downsampleconv.', 'downsample.'),
             ('downsamplebn.', 'downsample.bn.')]
    for i, blocks in enumerate(layer_sizes, 1):
        pairs.append((f'conv{i + 1}.block1.', f'layer{i}.0.'))
        pairs += [(f'conv{i + 1}.blocks.{b - 1}.', f'layer{i}.{b}.')
                  for b in range(1, blocks)]
    return pairs


#: The table for RSPNet's ``R2Plus1DNet((1, 1, 1, 1))``.
OFFICIAL_KEYS = official_keys()
#: The official 1-output classifier, not converted.
OFFICIAL_CLASSIFIER = 'linear.'


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
            Defaults to None (:attr:`BaseVideoBackbone.default_norm_cfg`).
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
        # the attributes of an nn.Conv3d that ConvModule reads
        self.in_channels, self.out_channels = in_channels, out_channels
        self.mid_channels = mid_channels
        self.kernel_size, self.stride, self.padding = (kernel_size, stride,
                                                       padding)
        self.dilation, self.output_padding = (1, 1, 1), (0, 0, 0)
        self.transposed, self.groups = False, 1
        self.conv_s = nn.Conv3d(
            in_channels, mid_channels, (1, ) + kernel_size[1:],
            stride=(1, ) + stride[1:], padding=(0, ) + padding[1:],
            bias=bias)
        self.bn_s = build_norm_layer(
            norm_cfg or BaseVideoBackbone.default_norm_cfg, mid_channels)[1]
        self.relu = nn.ReLU(inplace=True)
        self.conv_t = nn.Conv3d(
            mid_channels, out_channels, (kernel_size[0], 1, 1),
            stride=(stride[0], 1, 1), padding=(padding[0], 0, 0), bias=bias)

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
        """(N, C_in, T, H, W) -> (N, C_out, T', H', W'), as a Conv3d with
        the same kernel, stride and padding would give."""
        x = self.relu(self.bn_s(self.conv_s(x)))  # [N, M, T, H', W']
        return self.conv_t(x)


def _factorised_conv_bn(cin: int, cout: int, kernel: IntOrTriple,
                        norm_cfg: dict, stride: IntOrTriple = 1,
                        padding: IntOrTriple = 0,
                        relu: bool = False) -> ConvModule:
    return ConvModule(
        cin, cout, kernel, stride=stride, padding=padding, bias=False,
        conv_cfg=dict(type=FactorisedConv3d, norm_cfg=norm_cfg),
        norm_cfg=norm_cfg, act_cfg=dict(type='ReLU') if relu else None)


class FactorisedResBlock(nn.Module):
    """Two 3x3x3 (2+1)D conv + BN units and a shortcut, then ReLU.

    With ``downsample`` the first conv has stride 2 in time and space and
    the shortcut is a 1x1x1 (2+1)D conv with stride 2 + BN (VCOP's
    ``downsampleconv``/``downsamplebn``); otherwise the shortcut is the
    identity.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        downsample (bool): Halve T, H and W.
        norm_cfg (dict): BN config.
    """

    def __init__(self, in_channels: int, out_channels: int, downsample: bool,
                 norm_cfg: dict) -> None:
        super().__init__()
        stride = 2 if downsample else 1
        self.conv1 = _factorised_conv_bn(in_channels, out_channels, 3,
                                         norm_cfg, stride, 1, relu=True)
        self.conv2 = _factorised_conv_bn(out_channels, out_channels, 3,
                                         norm_cfg, 1, 1)
        self.downsample = _factorised_conv_bn(
            in_channels, out_channels, 1, norm_cfg, 2) if downsample else None
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C_in, T, H, W) -> (N, C_out, T', H', W'), halved (ceil) with
        ``downsample``."""
        out = self.conv2(self.conv1(x))  # [N, C_out, T', H', W']
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(identity + out)


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
        **kwargs: ``norm_cfg`` (default BN3d with PyTorch's eps 1e-5,
            momentum 0.1, as the official model), ``frozen_stages``,
            ``norm_eval``, ``pretrained``, ``init_cfg`` of
            :class:`BaseVideoBackbone`; stages are the stem and
            layer1..layer4.
    """

    out_channels = 512

    def __init__(self,
                 layer_sizes: Sequence[int] = (1, 1, 1, 1),
                 in_channels: int = 3,
                 **kwargs) -> None:
        super().__init__(in_channels=in_channels, **kwargs)
        if len(layer_sizes) != 4 or min(layer_sizes) < 1:
            raise ValueError('VCOPR2Plus1D: layer_sizes must be 4 positive '
                             f'ints, got {layer_sizes!r}')
        self.layer_sizes = tuple(layer_sizes)
        self.conv1 = _factorised_conv_bn(in_channels, 64, (3, 7, 7),
                                         self.norm_cfg, (1, 2, 2), (1, 3, 3),
                                         relu=True)
        channels = 64
        for i, blocks in enumerate(layer_sizes, 1):
            width = 64 * 2**(i - 1)
            self.add_module(f'layer{i}', nn.Sequential(*[
                FactorisedResBlock(channels if b == 0 else width, width,
                                   i > 1 and b == 0, self.norm_cfg)
                for b in range(blocks)]))
            channels = width
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
            torch.Tensor: (N, 512, T/8, H/16, W/16) (ceil).
        """
        self._check_input(x)
        x = self.conv1(x)  # [N, 64, T, H/2, W/2]
        x = self.layer1(x)  # [N, 64, T, H/2, W/2]
        x = self.layer2(x)  # [N, 128, T/2, H/4, W/4]
        x = self.layer3(x)  # [N, 256, T/4, H/8, W/8]
        return self.layer4(x)  # [N, 512, T/8, H/16, W/16]
