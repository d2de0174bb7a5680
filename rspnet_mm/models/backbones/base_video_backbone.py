"""Behaviour shared by the video backbones (RSPNet's four and LiteC3D).

Every backbone is a stem followed by stages (stage indices 0..4 for
RSPNet's), returns the feature map before global pooling, and knows how to
freeze its first stages, initialise itself and load a converted checkpoint.
"""
import copy
from typing import List, Optional, Sequence, Tuple

import torch
from mmengine.model import BaseModule, initialize
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from .backbone_checkpoint import load_backbone_checkpoint


class BaseVideoBackbone(BaseModule):
    """Base class: stage freezing, weight init and input checks.

    Subclasses build their layers, list them per stage in
    :meth:`stage_modules` and call :meth:`_freeze_stages` at the end of their
    ``__init__``.

    Args:
        in_channels (int): Channels of the input clip.
        norm_cfg (dict, optional): BN config of every layer. Defaults to
            None: :attr:`default_norm_cfg` (BN3d with PyTorch's eps 1e-5
            and momentum 0.1, unless a backbone says otherwise).
        frozen_stages (int): Stages to freeze (parameters fixed, BN in eval
            mode): -1 freezes nothing, 0 the stem, ``i`` the stem and stages
            1..i. At most 4. Defaults to -1.
        norm_eval (bool): Keep every BN layer in eval mode while training.
            Defaults to False.
        pretrained (str, optional): Path of a backbone checkpoint written by
            ``tools/convert_official_checkpoint.py`` or
            ``tools/extract_backbone.py``; loaded strictly by
            :meth:`init_weights`. Defaults to None.
        init_cfg (dict | list[dict], optional): mmengine init config,
            applied by :meth:`init_weights` after the default init when
            ``pretrained`` is None (``Pretrained`` loads non-strictly, as
            in mmengine). Defaults to None.
    """

    #: Smallest (T, H=W) input that still gives a non-empty feature map.
    min_input_size: Tuple[int, int] = (1, 1)
    num_stages = 5
    #: BN config used when ``norm_cfg`` is None.
    default_norm_cfg = dict(type='BN3d')

    def __init__(self,
                 in_channels: int = 3,
                 norm_cfg: Optional[dict] = None,
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 pretrained: Optional[str] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        name = type(self).__name__
        if (not isinstance(frozen_stages, int)
                or not -1 <= frozen_stages < self.num_stages):
            raise ValueError(
                f'{name}: frozen_stages must be an int in '
                f'[-1, {self.num_stages - 1}] (-1 = nothing frozen, 0 = '
                f'stem), got {frozen_stages!r}')
        if pretrained is not None and not isinstance(pretrained, str):
            raise TypeError(f'{name}: pretrained must be a path (str) or '
                            f'None, got {type(pretrained).__name__}')
        if pretrained is not None and init_cfg is not None:
            raise ValueError(f'{name}: give either pretrained or init_cfg, '
                             'not both')
        self.in_channels = in_channels
        self.norm_cfg = copy.deepcopy(norm_cfg or self.default_norm_cfg)
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self.pretrained = pretrained

    def stage_modules(self) -> List[Sequence[nn.Module]]:
        """Modules of each stage, stem first.

        Returns:
            list[Sequence[nn.Module]]: ``num_stages`` groups of modules.
        """
        raise NotImplementedError

    def _freeze_stages(self) -> None:
        """Fix the parameters and BN statistics of the frozen stages."""
        for modules in self.stage_modules()[:self.frozen_stages + 1]:
            for module in modules:
                module.eval()
                for param in module.parameters():
                    param.requires_grad = False

    def train(self, mode: bool = True) -> 'BaseVideoBackbone':
        """Set training mode, keeping frozen stages and BN (norm_eval) in
        eval mode."""
        super().train(mode)
        if mode:
            self._freeze_stages()
            if self.norm_eval:
                for module in self.modules():
                    if isinstance(module, _BatchNorm):
                        module.eval()
        return self

    def init_weights(self) -> None:
        """Load ``pretrained`` strictly; otherwise Kaiming-normal (fan_out,
        ReLU) convs with zero bias and BN weight 1, bias 0, then
        ``init_cfg`` (if any) on top."""
        if self.pretrained is not None:
            load_backbone_checkpoint(self, self.pretrained)
        else:
            for module in self.modules():
                if isinstance(module, nn.Conv3d):
                    nn.init.kaiming_normal_(
                        module.weight, mode='fan_out', nonlinearity='relu')
                    if module.bias is not None:
                        nn.init.zeros_(module.bias)
                elif isinstance(module, _BatchNorm):
                    nn.init.ones_(module.weight)
                    nn.init.zeros_(module.bias)
            if self.init_cfg is not None:
                # Not BaseModule.init_weights: the ConvModules' own
                # init_weights would overwrite init_cfg afterwards.
                initialize(self, copy.deepcopy(self.init_cfg))
        self._is_init = True
        self._freeze_stages()

    def _check_input(self, x: torch.Tensor) -> None:
        """Raise a ValueError naming the problem when ``x`` does not fit.

        Args:
            x (torch.Tensor): Input clips, expected (N, in_channels, T, H, W).
        """
        name = type(self).__name__
        if x.dim() != 5 or x.shape[1] != self.in_channels:
            raise ValueError(
                f'{name} expects clips shaped (N, {self.in_channels}, T, H, '
                f'W), got {tuple(x.shape)}; with MMAction2 use '
                f"format_shape='NCTHW' in the data preprocessor")
        min_t, min_s = self.min_input_size
        if x.shape[2] < min_t or min(x.shape[3:]) < min_s:
            raise ValueError(
                f'{name} needs clips of at least {min_t} frames and '
                f'{min_s}x{min_s} pixels, got {tuple(x.shape)}')
