"""The MoCo-style RSPNet pretraining model (Chen et al., AAAI 2021).

https://arxiv.org/abs/2011.07949
"""
from functools import partial
from typing import Dict, NamedTuple, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.models.recognizers import BaseRecognizer
from mmaction.registry import MODELS
from mmaction.utils import ConfigType, OptConfigType, OptSampleList
from mmengine.dist import all_gather, get_world_size
from mmengine.logging import print_log
from mmengine.model import ExponentialMovingAverage
from torch import Tensor

from ..utils import (
    NUM_VIEWS,
    batch_shuffle_ddp,
    batch_unshuffle_ddp,
    forward_in_groups,
    num_bn_groups,
    split_shuffle_index,
)

#: BatchNorm sub-batches emulated in one process when ``bn_splits`` is
#: None and ``shuffle_bn=True`` (the official runs used 4 GPUs).
DEFAULT_BN_SPLITS = 4


class Embeddings(NamedTuple):
    """Unit embeddings (N, feat_dim) of one view; None for a head off."""
    rsp: Optional[Tensor]
    avid: Optional[Tensor]


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
    shuffle-BN. Then

    - ``loss_rsp`` (:class:`RSPHead`): rank s(q, k+) above s(q, k-);
    - ``loss_avid`` (:class:`AVIDHead`): k+ and k- are both positives of q
      against a queue of other videos' keys, which then receives the A-VID
      embeddings of k- gathered from all processes (as the official code).

    The update order follows the official code: query forward, key-encoder
    update ``key = m * key + (1 - m) * query`` (the first call copies the
    query), k- then k+ through the key encoder, losses with the queue from
    before this step, enqueue. The key encoder's buffers (BN running
    statistics) are copied from the query encoder at each update
    (``update_buffers=False``, as mmpretrain's MoCo).

    Each loss's weight is the ``loss_weight`` of its head config. A head
    config of None switches its task off: the head is not built or run
    (no ``rsp_head.*`` / ``avid_head.*`` keys in the state dict), and
    without A-VID there is no queue.

    **Shuffle-BN.** Across processes (DDP) the key batch is shuffled over
    all processes before the key encoder and unshuffled after it (MoCo,
    Sec. 3.3). In one process it is emulated with ``bn_splits`` sub-batches
    (MoCo's single-GPU split-BN): both encoders run on sub-batches, the
    queries in sample order, the keys shuffled so that each shares no
    sub-batch with its query, and returned in sample order. Any backbone
    works: SyncBN is plain BatchNorm in one process; frozen BN /
    ``norm_eval=True`` uses running statistics, so splitting changes
    nothing (see :mod:`rspnet_mm.models.utils.split_batch_norm` and
    docs/pretraining.md).

    ``mode='tensor'`` returns the query backbone's features; ``mode=
    'predict'`` (what mmengine's val loop calls) attaches each video's
    pooled query-backbone feature, for the representation monitor during
    pretraining (``configs/_base_/pretrain_monitor.py``).

    Args:
        backbone (dict): Any single-output 3D backbone config.
        rsp_head (dict, optional): :class:`RSPHead` config, None to switch
            RSP off. Defaults to None.
        avid_head (dict, optional): :class:`AVIDHead` config, None to
            switch A-VID off. Defaults to None.
        queue_len (int): K, negatives in the A-VID queue. It must be a
            multiple of batch size x world size. Defaults to 16384.
        key_momentum (float): m of the key encoder (MoCo convention).
            Defaults to 0.999.
        shuffle_bn (bool): Shuffle the key batch (across processes, or
            with ``bn_splits`` sub-batches in one). Defaults to True.
        bn_splits (int, optional): BatchNorm sub-batches per process. None:
            ``DEFAULT_BN_SPLITS`` (4) in one process with ``shuffle_bn``,
            else 1 (under DDP the processes are the splits). 1 switches
            the split off. Defaults to None.
        rsp_loss_weight: Removed (the weight is ``rsp_head.loss_weight``);
            setting it raises an error saying so.
        avid_loss_weight: Removed (``avid_head.loss_weight``), as above.
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
                 shuffle_bn: bool = True,
                 bn_splits: Optional[int] = None,
                 rsp_loss_weight: None = None,
                 avid_loss_weight: None = None,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None) -> None:
        for name, value, head in (('rsp', rsp_loss_weight, 'RSP'),
                                  ('avid', avid_loss_weight, 'A-VID')):
            if value is not None:
                raise ValueError(
                    f'RSPNet: {name}_loss_weight was removed; the weight now '
                    f'lives only in the head config: set model.{name}_head.'
                    f'loss_weight={value} (or model.{name}_head=None to '
                    f'switch {head} off)')
        if rsp_head is None and avid_head is None:
            raise ValueError('RSPNet: give rsp_head, avid_head or both (a '
                             'head config of None switches its task off)')
        if not 0.0 < key_momentum < 1.0:
            raise ValueError('RSPNet: key_momentum m must be in (0, 1) '
                             f'(key = m * key + (1 - m) * query), got '
                             f'{key_momentum}')
        if bn_splits is not None and (not isinstance(bn_splits, int)
                                      or bn_splits < 1):
            raise ValueError('RSPNet: bn_splits must be None or an int >= 1, '
                             f'got {bn_splits!r}')
        if bn_splits not in (None, 1) and not shuffle_bn:
            raise ValueError(
                f'RSPNet: bn_splits={bn_splits} needs shuffle_bn=True (split '
                'BatchNorm without shuffling the keys normalises each query '
                'and its keys with the statistics of the same samples)')
        super().__init__(backbone=backbone, train_cfg=train_cfg,
                         test_cfg=test_cfg,
                         data_preprocessor=data_preprocessor)
        self.rsp_head = None if rsp_head is None else MODELS.build(rsp_head)
        self.avid_head = None if avid_head is None else MODELS.build(
            avid_head)
        # pooling for predict(); no parameters, nothing in the state dict
        self.feature_head = MODELS.build(dict(type='VideoFeatureHead'))
        self.shuffle_bn = shuffle_bn
        self.bn_splits = bn_splits
        self._split_logged = False
        self.key_momentum = key_momentum
        self.key_encoder = ExponentialMovingAverage(
            self._query_encoder(), momentum=1.0 - key_momentum)
        if self.avid_head is not None:
            if not isinstance(queue_len, int) or queue_len <= 0:
                raise ValueError('RSPNet: queue_len must be a positive int, '
                                 f'got {queue_len!r}')
            queue = F.normalize(
                torch.randn(self.avid_head.feat_dim, queue_len), dim=0)
            self.register_buffer('queue', queue)  # [feat_dim, K]
            self.register_buffer('queue_ptr',
                                 torch.zeros(1, dtype=torch.long))

    def _query_encoder(self) -> nn.ModuleDict:
        """The query modules, named as in the key encoder."""
        modules = dict(backbone=self.backbone, rsp_head=self.rsp_head,
                       avid_head=self.avid_head)
        return nn.ModuleDict(
            {name: m for name, m in modules.items() if m is not None})

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
                **kwargs) -> OptSampleList:
        """Pooled query-backbone features, for the representation monitor.

        Args:
            inputs (Tensor): Clips of a test pipeline, shape (N, num_clips,
                C, T, H, W).
            data_samples (list[ActionDataSample]): The N samples.

        Returns:
            list[ActionDataSample]: The samples, each with
            ``video_feature`` (C,): the backbone output averaged over
            space-time and over the clips (``VideoFeatureHead``).
        """
        if data_samples is None or inputs.dim() != 6:
            raise ValueError(
                "RSPNet.predict embeds test clips (N, num_clips, C, T, H, W) "
                'with their data samples (the representation monitor, '
                f'configs/_base_/pretrain_monitor.py), got inputs of shape '
                f'{tuple(inputs.shape)}')
        feats, _ = self.extract_feat(inputs)  # [N * num_clips, C, ...]
        return self.feature_head.predict(feats, data_samples)

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
        groups = self.bn_groups(inputs.shape[0])
        q_in, kpos_in, kneg_in = inputs.unbind(dim=1)  # [N, C, T, H, W]
        q = self._encode(self._query_encoder(), q_in, groups)
        with torch.no_grad():
            self.key_encoder.update_parameters(self._query_encoder())
            k_neg = self._encode_keys(kneg_in, groups)
            k_pos = self._encode_keys(kpos_in, groups)
        return self.loss_by_embeddings(q, k_pos, k_neg, speeds)

    def bn_groups(self, batch_size: int) -> int:
        """BatchNorm sub-batches for a batch of this size (see class doc).

        Logs once, the first time it splits, what it does.

        Args:
            batch_size (int): N on this process.

        Returns:
            int: The number of sub-batches (1: no split).
        """
        splits = self.bn_splits
        if splits is None:
            one_process = get_world_size() == 1
            splits = DEFAULT_BN_SPLITS if self.shuffle_bn and one_process \
                else 1
        groups = num_bn_groups(batch_size, splits)
        if groups > 1 and not self._split_logged:
            self._split_logged = True
            print_log(
                f'RSPNet: shuffle-BN in one process: both encoders compute '
                f'BatchNorm statistics over {groups} sub-batches of '
                f'{batch_size // groups} (as on {groups} devices) and every '
                'key is shuffled into another sub-batch than its query; '
                'model.bn_splits sets the number, 1 switches it off',
                logger='current')
        return groups

    @staticmethod
    def _embed(encoder: nn.ModuleDict, x: Tensor) -> Embeddings:
        """Embeddings of clips (n, C, T, H, W) by an encoder's heads."""
        feat = encoder['backbone'](x)
        return Embeddings(
            rsp=encoder['rsp_head'](feat) if 'rsp_head' in encoder else None,
            avid=encoder['avid_head'](feat)
            if 'avid_head' in encoder else None)

    def _encode(self, encoder: nn.ModuleDict, x: Tensor,
                groups: int) -> Embeddings:
        """Embeddings of (N, C, T, H, W), BatchNorm over ``groups`` chunks."""
        return Embeddings(
            *forward_in_groups(partial(self._embed, encoder), x, groups))

    def _encode_keys(self, x: Tensor, groups: int) -> Embeddings:
        """Key embeddings of (N, C, T, H, W), shuffle-BN, in sample order."""
        encoder = self.key_encoder.module
        if self.shuffle_bn and get_world_size() > 1:
            x, idx_unshuffle = batch_shuffle_ddp(x)
            unshuffle = partial(batch_unshuffle_ddp,
                                idx_unshuffle=idx_unshuffle)
        elif self.shuffle_bn and groups > 1:
            idx_shuffle = split_shuffle_index(x.shape[0], groups).to(x.device)
            x, idx_unshuffle = x[idx_shuffle], idx_shuffle.argsort()

            def unshuffle(k: Tensor) -> Tensor:
                return k[idx_unshuffle]
        else:
            return self._encode(encoder, x, groups)
        keys = self._encode(encoder, x, groups)
        return Embeddings(*(None if k is None else unshuffle(k) for k in keys))

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
                           q: Embeddings,
                           k_pos: Embeddings,
                           k_neg: Embeddings,
                           speeds: Optional[Tensor] = None
                           ) -> Dict[str, Tensor]:
        """Losses from embeddings, then the queue update.

        Args:
            q, k_pos, k_neg (Embeddings): Unit embeddings (N, feat_dim) of
                the query, same-speed and other-speed keys, per head.
            speeds (Tensor, optional): (N, 3) speeds of the views.

        Returns:
            dict[str, Tensor]: The head losses and accuracies.
        """
        losses = dict()
        if self.rsp_head is not None:
            losses.update(self.rsp_head.loss(q.rsp, k_pos.rsp, k_neg.rsp))
            if speeds is not None:
                correct = self.rsp_head.correct(q.rsp, k_pos.rsp, k_neg.rsp)
                for s in speeds[:, 0].unique().tolist():
                    chosen = (speeds[:, 0] == s).to(correct.device)
                    losses[f'rsp_acc_q{s}x'] = correct[chosen].float().mean()
        if self.avid_head is not None:
            # a copy: enqueueing below must not touch the logits' operand
            queue = self.queue.clone().detach()
            losses.update(self.avid_head.loss(q.avid, k_pos.avid, k_neg.avid,
                                              queue))
            self.enqueue(k_neg.avid)
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
