"""C3D with BatchNorm, as used by VCOP and RSPNet (``arch='c3d'``).

Xu et al., "Self-supervised Spatiotemporal Learning via Video Clip Order
Prediction", CVPR 2019 (https://arxiv.org/abs/1812.00097); RSPNet's
``models/c3d.py``.
"""
import warnings
from typing import List, Sequence

import torch
from mmaction.registry import MODELS
from mmcv.cnn import ConvModule
from torch import nn

from .base_video_backbone import BaseVideoBackbone

#: Conv layer names and output channels, in order.
C3D_LAYERS = (('conv1', 64), ('conv2', 128), ('conv3a', 256),
              ('conv3b', 256), ('conv4a', 512), ('conv4b', 512),
              ('conv5a', 512), ('conv5b', 512))
#: Layers of each stage (stem first).
C3D_STAGES = (('conv1', ), ('conv2', ), ('conv3a', 'conv3b'),
              ('conv4a', 'conv4b'), ('conv5a', 'conv5b'))

#: Official ``C3D`` key parts -> ours, in order (see
#: ``official_conversion.rename_key``): ``convX``/``bnX`` become
#: ``convX.conv``/``convX.bn``.
OFFICIAL_KEYS = ([(f'{name}.', f'{name}.conv.') for name, _ in C3D_LAYERS] +
                 [(f'bn{name[4:]}.', f'{name}.bn.') for name, _ in C3D_LAYERS])
#: The official 1-output classifier, not converted.
OFFICIAL_CLASSIFIER = 'linear.'


@MODELS.register_module()
class VCOPC3D(BaseVideoBackbone):
    """VCOP's C3D with BN: eight 3x3x3 convs (64, 128, 256x2, 512x2,
    512x2), each conv (with bias) + BN + ReLU; max pools (1,2,2) after conv1
    and (2,2,2) after conv2, conv3b and conv4b; no pool5, no fc6/fc7.

    Input (N, 3, T, H, W) gives (N, 512, T/8, H/16, W/16) (floors), e.g.
    (N, 512, 2, 7, 7) for 16x112x112 — the official ``C3D.get_feature``.

    Args:
        in_channels (int): Input channels. Defaults to 3.
        **kwargs: ``norm_cfg`` (default BN3d with PyTorch's eps 1e-5,
            momentum 0.1, as the official model), ``frozen_stages``,
            ``norm_eval``, ``pretrained``, ``init_cfg`` of
            :class:`BaseVideoBackbone`; stages are conv1 (stem), conv2,
            conv3, conv4, conv5.
    """

    min_input_size = (8, 16)
    out_channels = 512

    def __init__(self, in_channels: int = 3, **kwargs) -> None:
        super().__init__(in_channels=in_channels, **kwargs)
        channels = in_channels
        with warnings.catch_warnings():
            # The official C3D keeps the conv bias in front of its BN.
            warnings.filterwarnings('ignore', 'Unnecessary conv bias')
            for name, out_channels in C3D_LAYERS:
                self.add_module(
                    name,
                    ConvModule(
                        channels,
                        out_channels,
                        kernel_size=3,
                        padding=1,
                        bias=True,
                        conv_cfg=dict(type='Conv3d'),
                        norm_cfg=self.norm_cfg,
                        act_cfg=dict(type='ReLU')))
                channels = out_channels
        self.pool1 = nn.MaxPool3d(kernel_size=(1, 2, 2), stride=(1, 2, 2))
        self.pool2 = nn.MaxPool3d(kernel_size=2, stride=2)
        self.pool3 = nn.MaxPool3d(kernel_size=2, stride=2)
        self.pool4 = nn.MaxPool3d(kernel_size=2, stride=2)
        self._freeze_stages()

    def stage_modules(self) -> List[Sequence[nn.Module]]:
        """Conv modules of conv1 (stem) .. conv5."""
        return [[getattr(self, name) for name in stage]
                for stage in C3D_STAGES]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Feature map before global pooling.

        Args:
            x (torch.Tensor): Clips (N, 3, T, H, W).

        Returns:
            torch.Tensor: (N, 512, T/8, H/16, W/16) (floor).
        """
        self._check_input(x)
        x = self.pool1(self.conv1(x))  # [N, 64, T, H/2, W/2]
        x = self.pool2(self.conv2(x))  # [N, 128, T/2, H/4, W/4]
        x = self.conv3b(self.conv3a(x))  # [N, 256, T/2, H/4, W/4]
        x = self.pool3(x)  # [N, 256, T/4, H/8, W/8]
        x = self.conv4b(self.conv4a(x))  # [N, 512, T/4, H/8, W/8]
        x = self.pool4(x)  # [N, 512, T/8, H/16, W/16]
        return self.conv5b(self.conv5a(x))  # [N, 512, T/8, H/16, W/16]
