"""Inception block of S3D(-G) with separable, gated convs."""
from typing import Optional, Sequence

import torch
from mmcv.cnn import ConvModule
from torch import nn

from .gated_sep_conv3d import GatedSepConv3d


class SepInception3d(nn.Module):
    """Four branches concatenated on channels.

    branch0: 1x1x1 conv; branch1 and branch2: 1x1x1 reduce conv then a
    3x3x3 :class:`GatedSepConv3d`; branch3: 3x3x3 max pool (stride 1) then
    1x1x1 conv. Every conv is followed by BN and ReLU.

    Args:
        in_channels (int): Input channels.
        channels (Sequence[int]): (branch0, branch1 reduce, branch1,
            branch2 reduce, branch2, branch3) widths; the output has
            ``channels[0] + channels[2] + channels[4] + channels[5]``.
        gate (bool): Gate the separable convs. Defaults to True.
        norm_cfg (dict, optional): BN config. Defaults to None (BN3d with
            eps 1e-3, momentum 1e-3).
    """

    def __init__(self,
                 in_channels: int,
                 channels: Sequence[int],
                 gate: bool = True,
                 norm_cfg: Optional[dict] = None) -> None:
        super().__init__()
        if len(channels) != 6:
            raise ValueError('SepInception3d: channels must hold 6 widths, '
                             f'got {channels!r}')
        norm_cfg = norm_cfg or dict(type='BN3d', eps=1e-3, momentum=1e-3)

        def unit(cin, cout):
            return ConvModule(
                cin,
                cout,
                1,
                bias=False,
                conv_cfg=dict(type='Conv3d'),
                norm_cfg=norm_cfg,
                act_cfg=dict(type='ReLU'))

        def sep(cin, cout):
            return GatedSepConv3d(
                cin, cout, 3, padding=1, gate=gate, norm_cfg=norm_cfg)

        self.branch0 = unit(in_channels, channels[0])
        self.branch1_reduce = unit(in_channels, channels[1])
        self.branch1_sep = sep(channels[1], channels[2])
        self.branch2_reduce = unit(in_channels, channels[3])
        self.branch2_sep = sep(channels[3], channels[4])
        self.branch3_pool = nn.MaxPool3d(kernel_size=3, stride=1, padding=1)
        self.branch3_proj = unit(in_channels, channels[5])
        self.out_channels = (
            channels[0] + channels[2] + channels[4] + channels[5])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Run the four branches.

        Args:
            x (torch.Tensor): (N, in_channels, T, H, W).

        Returns:
            torch.Tensor: (N, out_channels, T, H, W).
        """
        return torch.cat([
            self.branch0(x),
            self.branch1_sep(self.branch1_reduce(x)),
            self.branch2_sep(self.branch2_reduce(x)),
            self.branch3_proj(self.branch3_pool(x)),
        ], 1)
