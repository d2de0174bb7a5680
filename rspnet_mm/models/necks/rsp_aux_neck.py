"""RSP as an auxiliary loss inside an ordinary MMAction2 recognizer."""
import copy
from typing import Dict, Tuple

from mmaction.registry import MODELS
from mmaction.utils import ConfigType, OptConfigType, OptSampleList
from mmengine.model import BaseModule
from torch import Tensor

from ..utils import NUM_VIEWS


@MODELS.register_module()
class RSPAuxNeck(BaseModule):
    """Adds RSPNet's relative speed loss to e.g. ``Recognizer3D``.

    ``Recognizer3D.extract_feat`` flattens the batch (N, V, C, T, H, W) to
    (N * V, C, T, H, W), runs the backbone and, in training, calls
    ``neck(x, data_samples=...)``; the ``(x, loss_aux)`` it returns is
    passed on to the cls head and ``loss_aux`` is merged into the losses.

    In training each sample has V = 3 views [q, k+, k-] (q from one window
    at speed s, k+ from another window at s, k- from that window at the
    other speed). The neck computes the RSP loss of an :class:`RSPHead` on
    the three views (the keys come from the same backbone; ``detach_keys``
    stops their gradient) and passes on only the q view's features, shape
    (N, ...), so the cls head sees one clip per label.

    Outside training, or without ``data_samples`` (``mode='tensor'``), the
    features pass through unchanged with an empty ``loss_aux``.

    Args:
        rsp_head (dict): Config of the :class:`RSPHead` (``in_channels`` =
            the backbone's output channels).
        detach_keys (bool): Stop the gradient through k+ and k-. Defaults
            to False (a plain triplet loss through all three views).
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 rsp_head: ConfigType,
                 detach_keys: bool = False,
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.rsp_head = MODELS.build(copy.deepcopy(rsp_head))
        self.detach_keys = detach_keys

    def forward(self,
                x: Tensor,
                data_samples: OptSampleList = None
                ) -> Tuple[Tensor, Dict[str, Tensor]]:
        """Split the views, compute the RSP loss, keep the query view.

        Args:
            x (Tensor): Backbone features of N * V clips, shape
                (N * V, C, T, H, W) (or (N * V, C)), views of one sample
                adjacent.
            data_samples (list[ActionDataSample], optional): The N samples.

        Returns:
            tuple[Tensor, dict]: Features for the cls head, shape
            (N, C, T, H, W) in training, ``x`` unchanged otherwise; and
            ``dict(loss_rsp, rsp_acc)`` in training, ``{}`` otherwise.
        """
        if not self.training or data_samples is None:
            return x, {}
        if isinstance(x, tuple | list):
            raise TypeError('RSPAuxNeck takes one feature map; configure the '
                            'backbone with a single output stage')
        n = len(data_samples)
        if n == 0 or x.shape[0] != n * NUM_VIEWS:
            raise ValueError(
                f'RSPAuxNeck: training needs {NUM_VIEWS} views [q, k+, k-] '
                f'per sample, but the backbone saw {x.shape[0]} clips for '
                f'{n} samples; use the RelativeSpeedSampler pipeline (it '
                'packs inputs as (3, C, T, H, W) per sample)')
        views = x.view(n, NUM_VIEWS, *x.shape[1:])  # [N, 3, C, T, H, W]
        q, k_pos, k_neg = views.unbind(dim=1)  # each [N, C, T, H, W]
        if self.detach_keys:
            k_pos, k_neg = k_pos.detach(), k_neg.detach()
        loss_aux = self.rsp_head.loss(
            self.rsp_head(q), self.rsp_head(k_pos), self.rsp_head(k_neg))
        return q, loss_aux
