"""A light plain 3D CNN for small inputs, with a frame-difference stem."""
from typing import List, Optional, Sequence, Tuple

import torch
from mmaction.registry import MODELS
from mmcv.cnn import ConvModule
from torch import nn

from .base_video_backbone import BaseVideoBackbone

#: Added to the per-clip std of ``clip_norm`` (inputs are normalised
#: pixels, std about 1; a flat clip stays finite).
CLIP_NORM_EPS = 1e-2


@MODELS.register_module()
class LiteC3D(BaseVideoBackbone):
    """Plain stack of 3x3x3 Conv-BN-ReLU layers, for CPU-sized experiments.

    Not one of RSPNet's backbones: it is the small network of the demo
    (``make demo``), where a full backbone would not train in minutes on a
    CPU. With ``frame_diff=True`` the input clip (N, 3, T, H, W) is
    concatenated with its temporal difference x[t] - x[t-1] (zero for the
    first frame) into (N, 6, T, H, W) before the first conv, which makes
    the per-frame displacement, and so the playback speed, directly
    visible to the first layer. Each layer is one stage for freezing: the
    first layer is the stem (stage 0).

    Args:
        in_channels (int): Channels of the input clip. Defaults to 3.
        channels (Sequence[int]): Output channels of each layer. Defaults
            to (16, 32, 64, 64, 128) (0.4 M parameters).
        strides (Sequence[tuple]): (t, h, w) stride of each layer.
            Defaults to ((1, 2, 2), (2, 2, 2), (2, 2, 2), (2, 1, 1),
            (1, 2, 2)): 16x32x32 in -> (2, 2, 2) out.
        frame_diff (bool): Add the frame-difference channels. Defaults to
            True.
        clip_norm (bool): Standardise each clip per channel over (T, H, W)
            first (zero mean, unit std), which undoes a per-window
            brightness/contrast change, so that the difference channels
            measure displacement rather than contrast. Defaults to True.
        norm_cfg (dict, optional): BN config. Defaults to None (BN3d).
        frozen_stages (int): -1 freezes nothing, ``i`` the first ``i + 1``
            layers (parameters fixed, BN in eval mode). Defaults to -1.
        norm_eval (bool): Keep every BN in eval mode. Defaults to False.
        pretrained (str, optional): Backbone checkpoint loaded strictly by
            ``init_weights``. Defaults to None.
        init_cfg (dict, optional): mmengine init config. Defaults to None.
    """

    def __init__(self,
                 in_channels: int = 3,
                 channels: Sequence[int] = (16, 32, 64, 64, 128),
                 strides: Sequence[Tuple[int, int, int]] = (
                     (1, 2, 2), (2, 2, 2), (2, 2, 2), (2, 1, 1), (1, 2, 2)),
                 frame_diff: bool = True,
                 clip_norm: bool = True,
                 norm_cfg: Optional[dict] = None,
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 pretrained: Optional[str] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if len(channels) != len(strides) or not channels:
            raise ValueError(f'LiteC3D: channels ({len(channels)}) and '
                             f'strides ({len(strides)}) must be non-empty '
                             f'and of equal length')
        # one stage per layer; read by the base class's frozen_stages check
        object.__setattr__(self, 'num_stages', len(channels))
        super().__init__(in_channels=in_channels, norm_cfg=norm_cfg,
                         frozen_stages=frozen_stages, norm_eval=norm_eval,
                         pretrained=pretrained, init_cfg=init_cfg)
        self.frame_diff = frame_diff
        self.clip_norm = clip_norm
        self.out_channels = channels[-1]
        layers, cin = [], in_channels * (2 if frame_diff else 1)
        for cout, stride in zip(channels, strides):
            layers.append(
                ConvModule(cin, cout, 3, stride=tuple(stride), padding=1,
                           bias=False, conv_cfg=dict(type='Conv3d'),
                           norm_cfg=self.norm_cfg,
                           act_cfg=dict(type='ReLU', inplace=True)))
            cin = cout
        self.layers = nn.Sequential(*layers)
        self._freeze_stages()

    def stage_modules(self) -> List[Sequence[nn.Module]]:
        """One stage per layer, the first layer being the stem."""
        return [[layer] for layer in self.layers]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Feature map before pooling.

        Args:
            x (Tensor): (N, in_channels, T, H, W) clips.

        Returns:
            Tensor: (N, out_channels, T', H', W').
        """
        self._check_input(x)
        if self.clip_norm:
            std, mean = torch.std_mean(x, dim=(2, 3, 4),
                                       keepdim=True)  # [N, C, 1, 1, 1]
            x = (x - mean) / (std + CLIP_NORM_EPS)
        if self.frame_diff:
            diff = torch.zeros_like(x)
            diff[:, :, 1:] = x[:, :, 1:] - x[:, :, :-1]  # [N, C, T, H, W]
            x = torch.cat([x, diff], dim=1)  # [N, 2C, T, H, W]
        return self.layers(x)
