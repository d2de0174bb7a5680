"""Appearance-focused video instance discrimination head (RSPNet's g_a)."""
from typing import Dict, Optional

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmaction.utils import OptConfigType
from torch import Tensor

from .video_projection_head import VideoProjectionHead, check_embeddings


def instance_logits(q: Tensor,
                    k: Tensor,
                    queue: Tensor,
                    temperature: float = 0.07) -> Tensor:
    """InfoNCE logits ``[s(q,k), s(q,queue)] / T``; the positive is class 0.

    Args:
        q (Tensor): Query embeddings, shape (N, D), unit norm.
        k (Tensor): Positive key embeddings, shape (N, D), unit norm.
        queue (Tensor): Negative keys as columns, shape (D, K).
        temperature (float): T. Defaults to 0.07.

    Returns:
        Tensor: Logits, shape (N, 1 + K).
    """
    l_pos = (q * k).sum(dim=1, keepdim=True)  # [N, 1]
    l_neg = q @ queue  # [N, K]
    return torch.cat([l_pos, l_neg], dim=1) / temperature


@MODELS.register_module()
class AVIDHead(VideoProjectionHead):
    """Appearance-focused video instance discrimination (A-VID) head.

    Projects backbone features to unit embeddings (see
    :class:`VideoProjectionHead`). Both keys of the query's video are
    positives, whatever their speed, and the queue Q of other videos' keys
    gives the negatives; the two InfoNCE terms are summed, not averaged:

    .. math::

        L_{avid} = w \\cdot \\sum_{k \\in \\{k^+, k^-\\}}
            \\frac{1}{N} \\sum_i -\\log
            \\frac{\\exp(s(q_i, k_i)/T)}
                  {\\exp(s(q_i, k_i)/T) + \\sum_j \\exp(s(q_i, Q_j)/T)}

    with s the dot product of unit vectors, T = 0.07 and loss weight w.
    ``avid_acc`` is the top-1 accuracy of the positive (class 0), averaged
    over the two terms.

    Args:
        in_channels (int): Channels C of the backbone feature.
        feat_dim (int): Embedding size. Defaults to 128.
        proj_type (str): ``'linear'`` or ``'mlp'``. Defaults to ``'linear'``.
        hidden_channels (int, optional): MLP hidden width. Defaults to
            ``in_channels``.
        temperature (float): T. Defaults to 0.07.
        loss_weight (float): w. Defaults to 1.0.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 in_channels: int,
                 feat_dim: int = 128,
                 proj_type: str = 'linear',
                 hidden_channels: Optional[int] = None,
                 temperature: float = 0.07,
                 loss_weight: float = 1.0,
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(in_channels, feat_dim, proj_type, hidden_channels,
                         init_cfg)
        if temperature <= 0:
            raise ValueError(
                f'AVIDHead: temperature must be > 0, got {temperature}')
        self.temperature = temperature
        self.loss_weight = loss_weight

    def loss(self, q: Tensor, k_pos: Tensor, k_neg: Tensor,
             queue: Tensor) -> Dict[str, Tensor]:
        """Sum of the two InfoNCE terms against the queue.

        Args:
            q (Tensor): Query embeddings, shape (N, feat_dim).
            k_pos (Tensor): Same-speed key embeddings, shape (N, feat_dim).
            k_neg (Tensor): Other-speed key embeddings, shape (N, feat_dim).
            queue (Tensor): Negatives, shape (feat_dim, K); pass a copy
                taken before this step's enqueue.

        Returns:
            dict[str, Tensor]: ``loss_avid`` (weighted) and ``avid_acc``.
        """
        n = check_embeddings('AVIDHead', self.feat_dim, q=q, k_pos=k_pos,
                             k_neg=k_neg)
        if queue.dim() != 2 or queue.shape[0] != self.feat_dim:
            raise ValueError(
                f'AVIDHead.loss: queue must have shape ({self.feat_dim}, K), '
                f'got {tuple(queue.shape)}')
        labels = torch.zeros(n, dtype=torch.long, device=q.device)
        # in fp32 even under autocast: logits are similarities / 0.07
        with torch.autocast(q.device.type, enabled=False):
            q, queue = q.float(), queue.float()
            loss = q.new_zeros(())
            acc = q.new_zeros(())
            for k in (k_pos.float(), k_neg.float()):
                logits = instance_logits(q, k, queue, self.temperature)
                loss = loss + F.cross_entropy(logits, labels)
                with torch.no_grad():
                    acc = acc + (logits.argmax(dim=1) == 0).float().mean() / 2
        return dict(loss_avid=self.loss_weight * loss, avid_acc=acc)
