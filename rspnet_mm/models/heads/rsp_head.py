"""Relative speed perception head (RSPNet's g_m and its margin loss)."""
from typing import Dict, Optional

import torch
from mmaction.registry import MODELS
from mmaction.utils import OptConfigType
from torch import Tensor

from .video_projection_head import VideoProjectionHead, check_embeddings


def relative_speed_hinge(q: Tensor,
                         k_pos: Tensor,
                         k_neg: Tensor,
                         margin: float = 2.0,
                         temperature: float = 0.07) -> Tensor:
    """Per-sample RSP hinge ``max(0, margin - (s(q,k+) - s(q,k-)) / T)``.

    Equals the official code's ``MarginRankingLoss(margin)`` on the logits
    ``s(q,k+)/T`` and ``s(q,k-)/T`` with target 1 (before the mean).

    Args:
        q (Tensor): Query embeddings, shape (N, D), unit norm.
        k_pos (Tensor): Same-speed keys, shape (N, D), unit norm.
        k_neg (Tensor): Other-speed keys, shape (N, D), unit norm.
        margin (float): Margin on the temperature-scaled similarities.
            Defaults to 2.0 (0.14 in cosine units at T=0.07).
        temperature (float): T. Defaults to 0.07.

    Returns:
        Tensor: Hinge per sample, shape (N,).
    """
    l_pos = (q * k_pos).sum(dim=1) / temperature  # [N]
    l_neg = (q * k_neg).sum(dim=1) / temperature  # [N]
    return (margin - (l_pos - l_neg)).clamp(min=0)


@MODELS.register_module()
class RSPHead(VideoProjectionHead):
    """Relative speed perception (RSP) head.

    Projects backbone features to unit embeddings (see
    :class:`VideoProjectionHead`) and ranks, for each query clip q, the
    same-speed key k+ above the other-speed key k- of the same video:

    .. math::

        L_{rsp} = w \\cdot \\frac{1}{N} \\sum_i \\max\\big(0,\\;
            m - (s(q_i, k^+_i) - s(q_i, k^-_i)) / T\\big)

    with s the dot product of unit vectors (cosine similarity), margin
    m = 2.0, temperature T = 0.07 and loss weight w. ``rsp_acc`` is the
    fraction of samples with s(q, k+) > s(q, k-).

    Args:
        in_channels (int): Channels C of the backbone feature.
        feat_dim (int): Embedding size. Defaults to 128.
        proj_type (str): ``'linear'`` or ``'mlp'``. Defaults to ``'linear'``.
        hidden_channels (int, optional): MLP hidden width. Defaults to
            ``in_channels``.
        margin (float): m. Defaults to 2.0.
        temperature (float): T. Defaults to 0.07.
        loss_weight (float): w. Defaults to 1.0.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 in_channels: int,
                 feat_dim: int = 128,
                 proj_type: str = 'linear',
                 hidden_channels: Optional[int] = None,
                 margin: float = 2.0,
                 temperature: float = 0.07,
                 loss_weight: float = 1.0,
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(in_channels, feat_dim, proj_type, hidden_channels,
                         init_cfg)
        if temperature <= 0 or margin < 0:
            raise ValueError('RSPHead: temperature must be > 0 and margin '
                             f'>= 0, got temperature={temperature}, '
                             f'margin={margin}')
        self.margin = margin
        self.temperature = temperature
        self.loss_weight = loss_weight

    @torch.no_grad()
    def correct(self, q: Tensor, k_pos: Tensor, k_neg: Tensor) -> Tensor:
        """Whether the same-speed key is ranked first.

        Args:
            q, k_pos, k_neg (Tensor): Unit embeddings, shape (N, feat_dim).

        Returns:
            Tensor: Bool, shape (N,): s(q, k+) > s(q, k-).
        """
        return (q * k_pos).sum(dim=1) > (q * k_neg).sum(dim=1)

    def loss(self, q: Tensor, k_pos: Tensor,
             k_neg: Tensor) -> Dict[str, Tensor]:
        """RSP margin ranking loss.

        Args:
            q (Tensor): Query embeddings, shape (N, feat_dim).
            k_pos (Tensor): Same-speed key embeddings, shape (N, feat_dim).
            k_neg (Tensor): Other-speed key embeddings, shape (N, feat_dim).

        Returns:
            dict[str, Tensor]: ``loss_rsp`` (weighted) and ``rsp_acc``.
        """
        check_embeddings('RSPHead', self.feat_dim, q=q, k_pos=k_pos,
                         k_neg=k_neg)
        # in fp32 even under autocast: bf16 similarities quantise the hinge
        with torch.autocast(q.device.type, enabled=False):
            q, k_pos, k_neg = q.float(), k_pos.float(), k_neg.float()
            hinge = relative_speed_hinge(q, k_pos, k_neg, self.margin,
                                         self.temperature)  # [N]
            acc = self.correct(q, k_pos, k_neg).float().mean()
        return dict(loss_rsp=self.loss_weight * hinge.mean(), rsp_acc=acc)
