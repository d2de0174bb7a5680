"""A light plain 3D CNN for small inputs, with a frame-difference stem."""
from typing import Sequence, Tuple

import torch
from mmaction.registry import MODELS
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm


@MODELS.register_module()
class LiteC3D(BaseModule):
    """Plain stack of 3x3x3 Conv-BN-ReLU layers, for CPU-sized experiments.

    Not one of RSPNet's backbones: it is the small network of the demo
    (``make demo``), where a full backbone would not train in minutes on a
    CPU. With ``frame_diff=True`` the input clip (N, 3, T, H, W) is
    concatenated with its temporal difference x[t] - x[t-1] (zero for the
    first frame) into (N, 6, T, H, W) before the first conv, which makes
    the per-frame displacement, and so the playback speed, directly
    visible to the first layer.

    Args:
        in_channels (int): Channels of the input clip. Defaults to 3.
        channels (Sequence[int]): Output channels of each layer. Defaults
            to (32, 64, 128, 128, 256).
        strides (Sequence[tuple]): (t, h, w) stride of each layer.
            Defaults to ((1, 2, 2), (2, 2, 2), (2, 2, 2), (2, 1, 1),
            (1, 2, 2)): 16x32x32 in -> (2, 2, 2) out.
        frame_diff (bool): Add the frame-difference channels. Defaults to
            True.
        frozen_stages (int): Freeze the first ``frozen_stages`` layers
            (parameters fixed, BN in eval mode); -1 freezes none. Defaults
            to -1.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 in_channels: int = 3,
                 channels: Sequence[int] = (32, 64, 128, 128, 256),
                 strides: Sequence[Tuple[int, int, int]] = (
                     (1, 2, 2), (2, 2, 2), (2, 2, 2), (2, 1, 1), (1, 2, 2)),
                 frame_diff: bool = True,
                 frozen_stages: int = -1,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if len(channels) != len(strides) or not channels:
            raise ValueError(f'LiteC3D: channels ({len(channels)}) and '
                             f'strides ({len(strides)}) must be non-empty '
                             f'and of equal length')
        if not -1 <= frozen_stages <= len(channels):
            raise ValueError(f'LiteC3D: frozen_stages must be in [-1, '
                             f'{len(channels)}], got {frozen_stages}')
        self.in_channels = in_channels
        self.frame_diff = frame_diff
        self.frozen_stages = frozen_stages
        self.out_channels = channels[-1]
        layers, cin = [], in_channels * (2 if frame_diff else 1)
        for cout, stride in zip(channels, strides):
            layers.append(
                ConvModule(cin, cout, 3, stride=tuple(stride), padding=1,
                           bias=False, conv_cfg=dict(type='Conv3d'),
                           norm_cfg=dict(type='BN3d'),
                           act_cfg=dict(type='ReLU', inplace=True)))
            cin = cout
        self.layers = nn.Sequential(*layers)
        self._freeze()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Feature map before pooling.

        Args:
            x (Tensor): (N, in_channels, T, H, W) clips.

        Returns:
            Tensor: (N, out_channels, T', H', W').
        """
        if x.dim() != 5 or x.shape[1] != self.in_channels:
            raise ValueError(f'LiteC3D expects (N, {self.in_channels}, T, H, '
                             f'W) clips, got {tuple(x.shape)}')
        if self.frame_diff:
            diff = torch.zeros_like(x)
            diff[:, :, 1:] = x[:, :, 1:] - x[:, :, :-1]  # [N, C, T, H, W]
            x = torch.cat([x, diff], dim=1)  # [N, 2C, T, H, W]
        return self.layers(x)

    def _freeze(self) -> None:
        for layer in self.layers[:max(self.frozen_stages, 0)]:
            layer.eval()
            for param in layer.parameters():
                param.requires_grad = False

    def train(self, mode: bool = True) -> 'LiteC3D':
        """Training mode that keeps frozen layers in eval mode."""
        super().train(mode)
        if mode:
            self._freeze()
        return self

    def init_weights(self) -> None:
        """Kaiming-normal convs, BN weight 1 / bias 0, unless init_cfg."""
        if self.init_cfg is not None:
            super().init_weights()
            return
        for module in self.modules():
            if isinstance(module, nn.Conv3d):
                nn.init.kaiming_normal_(module.weight, mode='fan_out',
                                        nonlinearity='relu')
            elif isinstance(module, _BatchNorm):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
