"""S3D-G as used by RSPNet (``arch='s3dg'``), with its blocks.

Xie et al., "Rethinking Spatiotemporal Feature Learning: Speed-Accuracy
Trade-offs in Video Classification", ECCV 2018
(https://arxiv.org/abs/1712.04851); RSPNet's ``models/s3dg.py``, which gates
every separable conv (the stem and conv 2c included).
"""
from typing import List, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmcv.cnn import ConvModule
from torch import nn
from torch.nn.modules.utils import _triple

from .base_video_backbone import BaseVideoBackbone

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

#: Official ``S3D_G`` key parts -> ours, in order (see
#: ``official_conversion.rename_key``).
OFFICIAL_KEYS = [
    ('feature.sepConv1.', 'conv_1a.'), ('feature.basicConv3d.', 'conv_2b.'),
    ('feature.sep_conv2.', 'conv_2c.'), ('feature.sepInc_', 'mixed_'),
    ('branch1.0.', 'branch1_reduce.'), ('branch1.1.', 'branch1_sep.'),
    ('branch2.0.', 'branch2_reduce.'), ('branch2.1.', 'branch2_sep.'),
    ('branch3.1.', 'branch3_proj.'), ('sep_conv.0.', 'conv_s.'),
    ('sep_conv.1.', 'conv_t.'), ('excitation.', 'gate.'), ('conv3d.', 'conv.'),
]
#: The official 1-output classifier, not converted.
OFFICIAL_CLASSIFIER = 'fc.'


def _conv_bn_relu(cin: int, cout: int, kernel, norm_cfg: dict,
                  **kwargs) -> ConvModule:
    return ConvModule(cin, cout, kernel, bias=False,
                      conv_cfg=dict(type='Conv3d'), norm_cfg=norm_cfg,
                      act_cfg=dict(type='ReLU'), **kwargs)


class GatedSepConv3d(nn.Module):
    """(1,k,k) conv + BN + ReLU, (k,1,1) conv + BN + ReLU, then a gate.

    Gate (Xie et al., S3D-G, Eq. 1): ``y = x * sigmoid(W pool(x) + b)`` with
    ``pool`` the global average over T, H, W and ``W`` a 1x1x1 conv with
    bias, i.e. one weight per channel and clip.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels (of both convs).
        kernel_size (int): k.
        norm_cfg (dict): BN config.
        stride (int | tuple[int, int, int]): Stride of the *spatial* conv,
            all three axes (the official stem uses 2, so it also drops every
            other frame); the temporal conv has stride 1. Defaults to 1.
        padding (int): p; (0,p,p) for the spatial and (p,0,0) for the
            temporal conv. Defaults to 0.
        gate (bool): Apply the feature gate. Defaults to True.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 kernel_size: int,
                 norm_cfg: dict,
                 stride: Union[int, Tuple[int, int, int]] = 1,
                 padding: int = 0,
                 gate: bool = True) -> None:
        super().__init__()
        k, p = kernel_size, padding
        self.conv_s = _conv_bn_relu(in_channels, out_channels, (1, k, k),
                                    norm_cfg, stride=_triple(stride),
                                    padding=(0, p, p))
        self.conv_t = _conv_bn_relu(out_channels, out_channels, (k, 1, 1),
                                    norm_cfg, padding=(p, 0, 0))
        self.gate = nn.Conv3d(out_channels, out_channels, 1) if gate else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, in_channels, T, H, W) -> (N, out_channels, T', H', W')."""
        x = self.conv_t(self.conv_s(x))  # [N, C, T', H', W']
        if self.gate is None:
            return x
        weight = self.gate(F.adaptive_avg_pool3d(x, 1))  # [N, C, 1, 1, 1]
        return torch.sigmoid(weight) * x


class SepInception3d(nn.Module):
    """Inception block of S3D(-G): four branches concatenated on channels.

    branch0: 1x1x1 conv; branch1 and branch2: 1x1x1 reduce conv then a
    3x3x3 :class:`GatedSepConv3d`; branch3: 3x3x3 max pool (stride 1) then
    1x1x1 conv. Every conv is followed by BN and ReLU.

    Args:
        in_channels (int): Input channels.
        channels (Sequence[int]): (branch0, branch1 reduce, branch1,
            branch2 reduce, branch2, branch3) widths; the output has
            ``channels[0] + channels[2] + channels[4] + channels[5]``.
        norm_cfg (dict): BN config.
        gate (bool): Gate the separable convs. Defaults to True.
    """

    def __init__(self, in_channels: int, channels: Sequence[int],
                 norm_cfg: dict, gate: bool = True) -> None:
        super().__init__()
        if len(channels) != 6:
            raise ValueError('SepInception3d: channels must hold 6 widths, '
                             f'got {channels!r}')
        c0, c1r, c1, c2r, c2, c3 = channels
        self.branch0 = _conv_bn_relu(in_channels, c0, 1, norm_cfg)
        self.branch1_reduce = _conv_bn_relu(in_channels, c1r, 1, norm_cfg)
        self.branch1_sep = GatedSepConv3d(c1r, c1, 3, norm_cfg, padding=1,
                                          gate=gate)
        self.branch2_reduce = _conv_bn_relu(in_channels, c2r, 1, norm_cfg)
        self.branch2_sep = GatedSepConv3d(c2r, c2, 3, norm_cfg, padding=1,
                                          gate=gate)
        self.branch3_pool = nn.MaxPool3d(kernel_size=3, stride=1, padding=1)
        self.branch3_proj = _conv_bn_relu(in_channels, c3, 1, norm_cfg)
        self.out_channels = c0 + c1 + c2 + c3

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, in_channels, T, H, W) -> (N, out_channels, T, H, W)."""
        return torch.cat([
            self.branch0(x),
            self.branch1_sep(self.branch1_reduce(x)),
            self.branch2_sep(self.branch2_reduce(x)),
            self.branch3_proj(self.branch3_pool(x)),
        ], 1)


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
        **kwargs: ``norm_cfg`` (default BN3d, eps 1e-3, momentum 1e-3),
            ``frozen_stages``, ``norm_eval``, ``pretrained``, ``init_cfg``
            of :class:`BaseVideoBackbone`; stages are conv_1a (stem),
            conv_2b+2c, mixed_3*, mixed_4*, mixed_5*.
    """

    min_input_size = (5, 17)
    out_channels = 1024
    default_norm_cfg = dict(type='BN3d', eps=1e-3, momentum=1e-3)

    def __init__(self, in_channels: int = 3, gate: bool = True,
                 **kwargs) -> None:
        super().__init__(in_channels=in_channels, **kwargs)
        norm = self.norm_cfg
        self.gate = gate
        self.conv_1a = GatedSepConv3d(in_channels, 64, 7, norm, stride=2,
                                      padding=3, gate=gate)
        self.pool_2a = nn.MaxPool3d((1, 3, 3), (1, 2, 2), (0, 1, 1))
        self.conv_2b = _conv_bn_relu(64, 64, 1, norm)
        self.conv_2c = GatedSepConv3d(64, 192, 3, norm, padding=1, gate=gate)
        self.pool_3a = nn.MaxPool3d((1, 3, 3), (1, 2, 2), (0, 1, 1))
        self.pool_4a = nn.MaxPool3d(3, 2, 1)
        self.pool_5a = nn.MaxPool3d(2, 2, 0)
        for name, cin, widths in S3DG_MIXED:
            self.add_module(f'mixed_{name}',
                            SepInception3d(cin, widths, norm, gate))
        self._freeze_stages()

    def stage_modules(self) -> List[Sequence[nn.Module]]:
        """conv_1a, conv_2b+2c, mixed_3*, mixed_4*, mixed_5*."""
        return [[self.conv_1a], [self.conv_2b, self.conv_2c]] + [
            [getattr(self, f'mixed_{n}') for n, _, _ in S3DG_MIXED
             if n[0] == level] for level in ('3', '4', '5')]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Feature map before global pooling.

        Args:
            x (torch.Tensor): Clips (N, 3, T, H, W).

        Returns:
            torch.Tensor: (N, 1024, T/8, H/32, W/32) (rounding as in the
            pools), e.g. (N, 1024, 2, 3, 3) for 16x112x112.
        """
        self._check_input(x)
        x = self.conv_1a(x)  # [N, 64, T/2, H/2, W/2]
        x = self.pool_2a(x)  # [N, 64, T/2, H/4, W/4]
        x = self.conv_2b(x)  # [N, 64, T/2, H/4, W/4]
        x = self.conv_2c(x)  # [N, 192, T/2, H/4, W/4]
        x = self.pool_3a(x)  # [N, 192, T/2, H/8, W/8]
        x = self.mixed_3b(x)  # [N, 256, T/2, H/8, W/8]
        x = self.mixed_3c(x)  # [N, 480, T/2, H/8, W/8]
        x = self.pool_4a(x)  # [N, 480, T/4, H/16, W/16]
        x = self.mixed_4b(x)  # [N, 512, T/4, H/16, W/16]
        x = self.mixed_4c(x)  # [N, 512, T/4, H/16, W/16]
        x = self.mixed_4d(x)  # [N, 512, T/4, H/16, W/16]
        x = self.mixed_4e(x)  # [N, 528, T/4, H/16, W/16]
        x = self.mixed_4f(x)  # [N, 832, T/4, H/16, W/16]
        x = self.pool_5a(x)  # [N, 832, T/8, H/32, W/32]
        x = self.mixed_5b(x)  # [N, 832, T/8, H/32, W/32]
        return self.mixed_5c(x)  # [N, 1024, T/8, H/32, W/32]
