"""The MoCo-style RSPNet pretraining model (Chen et al., AAAI 2021).

https://arxiv.org/abs/2011.07949
"""
import copy
from typing import Dict, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.models.recognizers import BaseRecognizer
from mmaction.registry import MODELS
from mmaction.utils import ConfigType, OptConfigType, OptSampleList
from mmengine.dist import all_gather, get_world_size
from mmengine.model import ExponentialMovingAverage
from torch import Tensor

from ..utils import batch_shuffle_ddp, batch_unshuffle_ddp

NUM_VIEWS = 3  # [q, k+, k-] per sample
TASKS = ('rsp', 'avid')


@MODELS.register_module()
class RSPNet(BaseRecognizer):
    """RSPNet: relative speed perception + appearance-focused instance
    discrimination, trained MoCo style.

    Each sample holds three clips of one video, ``inputs`` (N, 3, C, T, H,
    W): q (window A at speed s), k+ (window B at s), k- (window B at the
    other speed). The query encoder (``backbone``, ``rsp_head``,
    ``avid_head``) embeds q; the key encoder, a momentum copy of the three
    (``key_encoder``, an ``mmengine`` ``ExponentialMovingAverage``), embeds
    k- and k+ without gradient, after a momentum update and with
    shuffle-BN across processes. Then

    - ``loss_rsp`` (:class:`RSPHead`): rank s(q, k+) above s(q, k-);
    - ``loss_avid`` (:class:`AVIDHead`): k+ and k- are both positives of q
      against a queue of other videos' keys, which then receives the A-VID
      embeddings of k- gathered from all processes (as the reference).

    The update order follows the reference: query forward, key-encoder
    update ``key = m * key + (1 - m) * query`` (the first call copies the
    query), k- then k+ through the key encoder, losses with the queue from
    before this step, enqueue. The key encoder's buffers (BN running
    statistics) are copied from the query encoder at each update
    (``update_buffers=False``, as mmpretrain's MoCo).

    A task whose loss weight is 0 is switched off: its head is not built
    and not run (no ``rsp_head``/``avid_head`` keys in the state dict),
    and without A-VID there is no queue.

    ``mode='tensor'`` returns the query backbone's features; ``mode=
    'predict'`` raises NotImplementedError: pretraining has no predictions
    (evaluate the backbone with the fine-tuning or retrieval configs).

    Args:
        backbone (dict): Any single-output 3D backbone config.
        rsp_head (dict, optional): :class:`RSPHead` config; needed when
            ``rsp_loss_weight > 0``. Its ``loss_weight`` is set from
            ``rsp_loss_weight``.
        avid_head (dict, optional): :class:`AVIDHead` config; needed when
            ``avid_loss_weight > 0``.
        queue_len (int): K, negatives in the A-VID queue. It must be a
            multiple of batch size x world size. Defaults to 16384.
        key_momentum (float): m of the key encoder (MoCo convention).
            Defaults to 0.999.
        rsp_loss_weight (float): Weight M of ``loss_rsp``. Defaults to 1.0.
        avid_loss_weight (float): Weight A of ``loss_avid``. Defaults to 1.0.
        shuffle_bn (bool): Shuffle the key batch across processes. Defaults
            to True (the identity in one process).
        train_cfg (dict, optional): Unused. Defaults to None.
        test_cfg (dict, optional): Unused. Defaults to None.
        data_preprocessor (dict, optional): Defaults to
            ``ActionDataPreprocessor``; use ``format_shape='NCTHW'``.
    """

    def __init__(self,
                 backbone: ConfigType,
                 rsp_head: OptConfigType = None,
                 avid_head: OptConfigType = None,
                 queue_len: int = 16384,
                 key_momentum: float = 0.999,
                 rsp_loss_weight: float = 1.0,
                 avid_loss_weight: float = 1.0,
                 shuffle_bn: bool = True,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None) -> None:
        super().__init__(backbone=backbone, train_cfg=train_cfg,
                         test_cfg=test_cfg,
                         data_preprocessor=data_preprocessor)
        if not 0.0 < key_momentum < 1.0:
            raise ValueError('RSPNet: key_momentum m must be in (0, 1) '
                             f'(key = m * key + (1 - m) * query), got '
                             f'{key_momentum}')
        weights = dict(rsp=rsp_loss_weight, avid=avid_loss_weight)
        cfgs = dict(rsp=rsp_head, avid=avid_head)
        if any(w < 0 for w in weights.values()) or not any(weights.values()):
            raise ValueError('RSPNet: rsp_loss_weight and avid_loss_weight '
                             'must be >= 0 and not both 0, got '
                             f'{rsp_loss_weight} and {avid_loss_weight}')
        self.tasks = tuple(t for t in TASKS if weights[t] > 0)
        for task in self.tasks:
            head = self._build_head(task, cfgs[task], weights[task])
            self.add_module(f'{task}_head', head)
        self.shuffle_bn = shuffle_bn
        self.key_momentum = key_momentum
        self.key_encoder = ExponentialMovingAverage(
            self._query_encoder(), momentum=1.0 - key_momentum)
        if 'avid' in self.tasks:
            if not isinstance(queue_len, int) or queue_len <= 0:
                raise ValueError('RSPNet: queue_len must be a positive int, '
                                 f'got {queue_len!r}')
            queue = F.normalize(
                torch.randn(self.avid_head.feat_dim, queue_len), dim=0)
            self.register_buffer('queue', queue)  # [feat_dim, K]
            self.register_buffer('queue_ptr',
                                 torch.zeros(1, dtype=torch.long))

    @staticmethod
    def _build_head(task: str, cfg: OptConfigType,
                    weight: float) -> nn.Module:
        name = f'{task}_head'
        if cfg is None:
            raise ValueError(f'RSPNet: {task}_loss_weight={weight} > 0 needs '
                             f'a {name} config (or set the weight to 0 to '
                             'switch the task off)')
        cfg = copy.deepcopy(dict(cfg))
        if cfg.get('loss_weight', weight) != weight:
            raise ValueError(
                f'RSPNet: {name}.loss_weight={cfg["loss_weight"]} differs '
                f'from {task}_loss_weight={weight}; set it in one place')
        cfg['loss_weight'] = weight
        return MODELS.build(cfg)

    def _query_encoder(self) -> nn.ModuleDict:
        """The query modules, named as in the key encoder."""
        modules = dict(backbone=self.backbone)
        modules.update({f'{t}_head': getattr(self, f'{t}_head')
                        for t in self.tasks})
        return nn.ModuleDict(modules)

    def extract_feat(self,
                     inputs: Tensor,
                     stage: str = 'backbone',
                     **kwargs) -> Tuple[Tensor, dict]:
        """Query backbone features.

        Args:
            inputs (Tensor): Shape (N, C, T, H, W), or (N, V, C, T, H, W)
                with the views flattened into the batch.
            stage (str): Only ``'backbone'``.

        Returns:
            tuple[Tensor, dict]: Features (N or N * V, C', T', H', W') and
            an empty dict.
        """
        if stage != 'backbone':
            raise ValueError(f'RSPNet.extract_feat: only stage="backbone" '
                             f'exists, got {stage!r}')
        if inputs.dim() == 6:
            inputs = inputs.flatten(0, 1)  # [N * V, C, T, H, W]
        return self.backbone(inputs), dict()

    def predict(self, inputs: Tensor, data_samples: OptSampleList,
                **kwargs):
        """Not available: see the class docstring."""
        raise NotImplementedError(
            'RSPNet is a pretraining model without predictions; use '
            "mode='tensor' for backbone features, or evaluate the backbone "
            'with a fine-tuning or retrieval config (remove val/test loops '
            'from the pretraining config)')

    def loss(self, inputs: Tensor, data_samples: OptSampleList = None,
             **kwargs) -> Dict[str, Tensor]:
        """One pretraining step's losses.

        Args:
            inputs (Tensor): Normalised clips, shape (N, 3, C, T, H, W),
                views [q, k+, k-].
            data_samples (list[ActionDataSample], optional): With field
                ``speeds`` (LongTensor [s_q, s_q, s_neg]) for per-speed
                ``rsp_acc_q{s}x`` logging.

        Returns:
            dict[str, Tensor]: ``loss_rsp``, ``rsp_acc``, ``rsp_acc_q{s}x``,
            ``loss_avid``, ``avid_acc`` (of the tasks switched on).
        """
        if inputs.dim() != 6 or inputs.shape[1] != NUM_VIEWS:
            raise ValueError(
                'RSPNet.loss expects inputs of shape (N, 3, C, T, H, W) with '
                f'views [q, k+, k-], got {tuple(inputs.shape)}; use the '
                'RelativeSpeedSampler pipeline and an ActionDataPreprocessor '
                "with format_shape='NCTHW'")
        speeds = self._speeds(data_samples, inputs.shape[0])
        q_in, kpos_in, kneg_in = inputs.unbind(dim=1)  # [N, C, T, H, W]
        q_feat = self.backbone(q_in)
        q = {t: getattr(self, f'{t}_head')(q_feat) for t in self.tasks}
        with torch.no_grad():
            self.key_encoder.update_parameters(self._query_encoder())
            k_neg = self._encode_keys(kneg_in)
            k_pos = self._encode_keys(kpos_in)
        return self.loss_by_embeddings(q, k_pos, k_neg, speeds)

    def _encode_keys(self, x: Tensor) -> Dict[str, Tensor]:
        """Key embeddings of a batch of clips (N, C, T, H, W), no grad."""
        idx_unshuffle = None
        if self.shuffle_bn:
            x, idx_unshuffle = batch_shuffle_ddp(x)
        encoder = self.key_encoder.module
        feat = encoder['backbone'](x)
        return {
            t: batch_unshuffle_ddp(encoder[f'{t}_head'](feat), idx_unshuffle)
            for t in self.tasks
        }

    @staticmethod
    def _speeds(data_samples: OptSampleList, n: int) -> Optional[Tensor]:
        """Stack the ``speeds`` fields to (N, 3), or None if absent."""
        if not data_samples or not all('speeds' in s for s in data_samples):
            return None
        speeds = torch.stack(
            [torch.as_tensor(s.speeds).reshape(-1) for s in data_samples])
        if speeds.shape != (n, NUM_VIEWS):
            raise ValueError(
                f'RSPNet: data sample field speeds must be [s_q, s_q, s_neg] '
                f'per sample, got shape {tuple(speeds.shape)} for {n} '
                'samples')
        bad = (speeds[:, 0] != speeds[:, 1]) | (speeds[:, 0] == speeds[:, 2])
        if bad.any():
            i = int(bad.nonzero()[0])
            raise ValueError(
                f'RSPNet: sample {i} has speeds {speeds[i].tolist()}; views '
                'must be [q, k+, k-] with q and k+ at one speed and k- at '
                'another')
        return speeds

    def loss_by_embeddings(self,
                           q: Dict[str, Tensor],
                           k_pos: Dict[str, Tensor],
                           k_neg: Dict[str, Tensor],
                           speeds: Optional[Tensor] = None
                           ) -> Dict[str, Tensor]:
        """Losses from embeddings, then the queue update.

        Args:
            q, k_pos, k_neg (dict[str, Tensor]): Unit embeddings (N,
                feat_dim) of the query, same-speed and other-speed keys, by
                task (``'rsp'``, ``'avid'``).
            speeds (Tensor, optional): (N, 3) speeds of the views.

        Returns:
            dict[str, Tensor]: The head losses and accuracies.
        """
        losses = dict()
        if 'rsp' in self.tasks:
            losses.update(self.rsp_head.loss(q['rsp'], k_pos['rsp'],
                                             k_neg['rsp']))
            if speeds is not None:
                correct = self.rsp_head.correct(q['rsp'], k_pos['rsp'],
                                                k_neg['rsp'])
                for s in speeds[:, 0].unique().tolist():
                    chosen = (speeds[:, 0] == s).to(correct.device)
                    losses[f'rsp_acc_q{s}x'] = correct[chosen].float().mean()
        if 'avid' in self.tasks:
            # a copy: enqueueing below must not touch the logits' operand
            queue = self.queue.clone().detach()
            losses.update(self.avid_head.loss(q['avid'], k_pos['avid'],
                                              k_neg['avid'], queue))
            self.enqueue(k_neg['avid'])
        return losses

    @torch.no_grad()
    def enqueue(self, keys: Tensor) -> None:
        """Put the keys of all processes into the queue (FIFO).

        Args:
            keys (Tensor): This process's keys, shape (N, feat_dim); the
                keys of all processes are gathered first, so the queue stays
                identical everywhere.
        """
        queue_len = self.queue.shape[1]
        per_step = keys.shape[0] * get_world_size()
        if queue_len % per_step != 0:
            fit = max(queue_len // per_step, 1) * per_step
            raise ValueError(
                f'RSPNet: queue_len={queue_len} is not a multiple of the keys '
                f'enqueued per step, batch size {keys.shape[0]} x world size '
                f'{get_world_size()} = {per_step}; set queue_len to a '
                f'multiple of {per_step} (e.g. {fit}) and drop_last=True in '
                'train_dataloader so that every batch is full')
        keys = torch.cat(all_gather(keys.detach().contiguous()), dim=0)
        ptr = int(self.queue_ptr[0])
        self.queue[:, ptr:ptr + per_step] = keys.T.to(self.queue.dtype)
        self.queue_ptr[0] = (ptr + per_step) % queue_len
