"""S3D-G as used by RSPNet (``arch='s3dg'``).

Xie et al., "Rethinking Spatiotemporal Feature Learning: Speed-Accuracy
Trade-offs in Video Classification", ECCV 2018
(https://arxiv.org/abs/1712.04851); RSPNet's ``models/s3dg.py``, which gates
every separable conv (the stem and conv 2c included).
"""
from typing import Dict, List, Mapping, Optional, Sequence

import torch
from mmaction.registry import MODELS
from mmcv.cnn import ConvModule
from torch import nn

from .base_video_backbone import BaseVideoBackbone
from .gated_sep_conv3d import GatedSepConv3d
from .official_keys import PrefixPairs, conv_bn_pairs, rename_official_keys
from .sep_inception3d import SepInception3d

#: Inception blocks: (name, input channels, the six branch widths).
S3DG_MIXED = (
    ('3b', 192, (64, 96, 128, 16, 32, 32)),
    ('3c', 256, (128, 128, 192, 32, 96, 64)),
    ('4b', 480, (192, 96, 208, 16, 48, 64)),
    ('4c', 512, (160, 112, 224, 24, 64, 64)),
    ('4d', 512, (128, 128, 256, 24, 64, 64)),
    ('4e', 512, (112, 144, 288, 32, 64, 64)),
    ('4f', 528, (256, 160, 320, 32, 128, 128)),
    ('5b', 832, (256, 160, 320, 32, 128, 128)),
    ('5c', 832, (384, 192, 384, 48, 128, 128)),
)


def _sep_pairs(official: str, ours: str) -> PrefixPairs:
    return (conv_bn_pairs(f'{official}sep_conv.0.', f'{ours}conv_s.') +
            conv_bn_pairs(f'{official}sep_conv.1.', f'{ours}conv_t.') +
            [(f'{official}excitation.', f'{ours}gate.')])


def official_key_pairs() -> PrefixPairs:
    """``(official, ours)`` key prefixes.

    ``feature.sepConv1`` -> ``conv_1a``, ``feature.basicConv3d`` ->
    ``conv_2b``, ``feature.sep_conv2`` -> ``conv_2c``,
    ``feature.sepInc_XY`` -> ``mixed_XY``; inside a separable conv
    ``sep_conv.0``/``sep_conv.1``/``excitation`` -> ``conv_s``/``conv_t``/
    ``gate``; inside a block ``branch1.0``/``branch1.1`` ->
    ``branch1_reduce``/``branch1_sep`` (same for branch2) and ``branch3.1``
    -> ``branch3_proj``; ``conv3d`` -> ``conv``.
    """
    pairs = _sep_pairs('feature.sepConv1.', 'conv_1a.')
    pairs += conv_bn_pairs('feature.basicConv3d.', 'conv_2b.')
    pairs += _sep_pairs('feature.sep_conv2.', 'conv_2c.')
    for name, _, _ in S3DG_MIXED:
        off, ours = f'feature.sepInc_{name}.', f'mixed_{name}.'
        pairs += conv_bn_pairs(f'{off}branch0.', f'{ours}branch0.')
        for b in (1, 2):
            pairs += conv_bn_pairs(f'{off}branch{b}.0.',
                                   f'{ours}branch{b}_reduce.')
            pairs += _sep_pairs(f'{off}branch{b}.1.', f'{ours}branch{b}_sep.')
        pairs += conv_bn_pairs(f'{off}branch3.1.', f'{ours}branch3_proj.')
    return pairs


def convert_official_state_dict(
        state_dict: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """Official ``S3D_G`` keys to :class:`S3DG` keys.

    Args:
        state_dict (Mapping[str, torch.Tensor]): Official keys without
            prefix; the 1-output classifier ``fc.*`` is dropped.

    Returns:
        dict[str, torch.Tensor]: Keys of :class:`S3DG`.
    """
    return rename_official_keys(state_dict, official_key_pairs(),
                                drop_prefixes=('fc.', ))


@MODELS.register_module()
class S3DG(BaseVideoBackbone):
    """S3D-G: separable, gated Inception-v1 in 3D.

    Stem conv_1a: gated separable 7x7x7 conv with stride 2 in T, H and W;
    pool_2a (1,3,3)/(1,2,2); conv_2b 1x1x1; conv_2c gated separable 3x3x3;
    pool_3a (1,3,3)/(1,2,2); mixed_3b, 3c; pool_4a 3x3x3/2; mixed_4b..4f;
    pool_5a 2x2x2/2; mixed_5b, 5c. BN eps 1e-3, momentum 1e-3. Input
    (N, 3, T, H, W) gives (N, 1024, T/8, H/32, W/32) (rounding as in the
    pools): (N, 1024, 2, 3, 3) at 16x112x112, (N, 1024, 2, 7, 7) at
    16x224x224, T'=8 at 64 frames — the official ``S3D_G.get_feature``.

    Args:
        in_channels (int): Input channels. Defaults to 3.
        gate (bool): Feature gating (S3D-G); False gives S3D. Defaults to
            True.
        norm_cfg (dict, optional): BN config. Defaults to None (BN3d,
            eps 1e-3, momentum 1e-3).
        **kwargs: ``frozen_stages``, ``norm_eval``, ``pretrained``,
            ``init_cfg`` of :class:`BaseVideoBackbone`; stages are
            conv_1a (stem), conv_2b+2c, mixed_3*, mixed_4*, mixed_5*.
    """

    min_input_size = (5, 17)
    out_channels = 1024

    def __init__(self,
                 in_channels: int = 3,
                 gate: bool = True,
                 norm_cfg: Optional[dict] = None,
                 **kwargs) -> None:
        super().__init__(in_channels=in_channels, **kwargs)
        norm_cfg = norm_cfg or dict(type='BN3d', eps=1e-3, momentum=1e-3)
        self.gate = gate
        self.conv_1a = GatedSepConv3d(
            in_channels, 64, 7, stride=2, padding=3, gate=gate,
            norm_cfg=norm_cfg)
        self.pool_2a = nn.MaxPool3d((1, 3, 3), (1, 2, 2), (0, 1, 1))
        self.conv_2b = ConvModule(
            64,
            64,
            1,
            bias=False,
            conv_cfg=dict(type='Conv3d'),
            norm_cfg=norm_cfg,
            act_cfg=dict(type='ReLU'))
        self.conv_2c = GatedSepConv3d(
            64, 192, 3, padding=1, gate=gate, norm_cfg=norm_cfg)
        self.pool_3a = nn.MaxPool3d((1, 3, 3), (1, 2, 2), (0, 1, 1))
        self.pool_4a = nn.MaxPool3d(3, 2, 1)
        self.pool_5a = nn.MaxPool3d(2, 2, 0)
        for name, cin, widths in S3DG_MIXED:
            self.add_module(f'mixed_{name}',
                            SepInception3d(cin, widths, gate, norm_cfg))
        self._freeze_stages()

    def _mixed(self, level: str) -> List[nn.Module]:
        return [
            getattr(self, f'mixed_{name}') for name, _, _ in S3DG_MIXED
            if name[0] == level
        ]

    def stage_modules(self) -> List[Sequence[nn.Module]]:
        """conv_1a, conv_2b+2c, mixed_3*, mixed_4*, mixed_5*."""
        return [[self.conv_1a], [self.conv_2b, self.conv_2c],
                self._mixed('3'),
                self._mixed('4'),
                self._mixed('5')]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Feature map before global pooling.

        Args:
            x (torch.Tensor): Clips (N, C, T, H, W).

        Returns:
            torch.Tensor: (N, 1024, T', H', W'), e.g. (N, 1024, 2, 3, 3) for
            16x112x112.
        """
        self._check_input(x)
        x = self.pool_2a(self.conv_1a(x))  # [N, 64, T/2, H/4, W/4]
        x = self.pool_3a(self.conv_2c(self.conv_2b(x)))  # [N, 192, .., /8]
        pools = {'4': self.pool_4a, '5': self.pool_5a}
        for level in '345':
            if level in pools:
                x = pools[level](x)
            for block in self._mixed(level):
                x = block(x)
        return x  # [N, 1024, T/8, H/32, W/32]
