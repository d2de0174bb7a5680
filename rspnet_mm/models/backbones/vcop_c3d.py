"""C3D with BatchNorm, as used by VCOP and RSPNet (``arch='c3d'``).

Xu et al., "Self-supervised Spatiotemporal Learning via Video Clip Order
Prediction", CVPR 2019 (https://arxiv.org/abs/1812.00097); RSPNet's
``models/c3d.py``.
"""
import warnings
from typing import Dict, List, Mapping, Optional, Sequence

import torch
from mmaction.registry import MODELS
from mmcv.cnn import ConvModule
from torch import nn

from .base_video_backbone import BaseVideoBackbone
from .official_keys import PrefixPairs, rename_official_keys

#: Conv layer names and output channels, in order.
C3D_LAYERS = (('conv1', 64), ('conv2', 128), ('conv3a', 256),
              ('conv3b', 256), ('conv4a', 512), ('conv4b', 512),
              ('conv5a', 512), ('conv5b', 512))
#: Layers of each stage (stem first); a (1,2,2) or (2,2,2) max pool
#: follows the first four stages.
C3D_STAGES = (('conv1', ), ('conv2', ), ('conv3a', 'conv3b'),
              ('conv4a', 'conv4b'), ('conv5a', 'conv5b'))


def official_key_pairs() -> PrefixPairs:
    """``(official, ours)`` key prefixes: ``convX`` / ``bnX`` of the
    official C3D become ``convX.conv`` / ``convX.bn``."""
    pairs = []
    for name, _ in C3D_LAYERS:
        suffix = name[len('conv'):]
        pairs += [(f'{name}.', f'{name}.conv.'),
                  (f'bn{suffix}.', f'{name}.bn.')]
    return pairs


def convert_official_state_dict(
        state_dict: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """Official ``C3D`` backbone keys to :class:`VCOPC3D` keys.

    Args:
        state_dict (Mapping[str, torch.Tensor]): Official keys without
            prefix; the 1-output classifier ``linear.*`` is dropped.

    Returns:
        dict[str, torch.Tensor]: Keys of :class:`VCOPC3D`.
    """
    return rename_official_keys(state_dict, official_key_pairs(),
                                drop_prefixes=('linear.', ))


@MODELS.register_module()
class VCOPC3D(BaseVideoBackbone):
    """VCOP's C3D with BN: eight 3x3x3 convs (64, 128, 256x2, 512x2,
    512x2), each conv (with bias) + BN + ReLU; max pools (1,2,2) after conv1
    and (2,2,2) after conv2, conv3b and conv4b; no pool5, no fc6/fc7.

    Input (N, 3, T, H, W) gives (N, 512, T/8, H/16, W/16) (floors), e.g.
    (N, 512, 2, 7, 7) for 16x112x112 — the official ``C3D.get_feature``.

    Args:
        in_channels (int): Input channels. Defaults to 3.
        norm_cfg (dict, optional): BN config. Defaults to None: BN3d with
            PyTorch's eps 1e-5, momentum 0.1 (as the official model).
        **kwargs: ``frozen_stages``, ``norm_eval``, ``pretrained``,
            ``init_cfg`` of :class:`BaseVideoBackbone`; stages are conv1
            (stem), conv2, conv3, conv4, conv5.
    """

    min_input_size = (8, 16)
    out_channels = 512

    def __init__(self,
                 in_channels: int = 3,
                 norm_cfg: Optional[dict] = None,
                 **kwargs) -> None:
        super().__init__(in_channels=in_channels, **kwargs)
        norm_cfg = norm_cfg or dict(type='BN3d')
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
                        norm_cfg=norm_cfg,
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
            x (torch.Tensor): Clips (N, C, T, H, W).

        Returns:
            torch.Tensor: (N, 512, T/8, H/16, W/16).
        """
        self._check_input(x)
        pools = (self.pool1, self.pool2, self.pool3, self.pool4, None)
        for stage, pool in zip(C3D_STAGES, pools):
            for name in stage:
                x = getattr(self, name)(x)
            if pool is not None:
                x = pool(x)
        return x
