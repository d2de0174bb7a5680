"""Shuffle-BN in one process: BatchNorm statistics over sub-batches.

MoCo (He et al., CVPR 2020, Sec. 3.3) shuffles the key batch across GPUs
so that a query and its keys are never normalised with the statistics of
one set of samples. In one process the same effect comes from running each
encoder on N sub-batches (each BatchNorm then sees only its sub-batch, as
on one of N devices) and putting every key into a different sub-batch
than its query (MoCo's single-GPU "split BN" recipe).

Running each sub-batch through the unchanged module works with every
backbone and normalisation layer, with no module replacement: BatchNorm in
training mode (plain or SyncBN, which falls back to plain BatchNorm in one
process) normalises with the sub-batch's statistics and updates its
running statistics once per sub-batch; BatchNorm in eval mode (frozen BN,
``norm_eval=True``) uses its running statistics, so splitting changes
nothing; LayerNorm / GroupNorm are per-sample and unaffected.
"""
from typing import Callable, Sequence

import torch
from torch import Tensor


def num_bn_groups(batch_size: int, splits: int) -> int:
    """How many sub-batches a batch is split into.

    The largest g <= ``splits`` that divides the batch with at least two
    samples per sub-batch (BatchNorm1d in training needs two), 1 if none:
    a short last batch of an epoch is split less, not refused.

    Args:
        batch_size (int): N.
        splits (int): The configured number of sub-batches.

    Returns:
        int: g, with ``batch_size % g == 0``.
    """
    for groups in range(min(splits, batch_size // 2), 1, -1):
        if batch_size % groups == 0:
            return groups
    return 1


def split_shuffle_index(batch_size: int, groups: int) -> Tensor:
    """A key permutation that mixes the query sub-batches.

    Query sub-batch g holds samples ``[g * m, (g + 1) * m)`` (sample order,
    m = N / groups). The samples are put in random order inside each query
    sub-batch, the sub-batches in random order, and the resulting list is
    dealt round-robin: key sub-batch j takes its positions j, j + groups,
    j + 2 groups, ... Consecutive picks are ``groups >= 2`` positions
    apart, so every key sub-batch holds samples of at least two query
    sub-batches (of min(m, groups) of them): no key is normalised with the
    statistics of its query's sub-batch. Draws from torch's global RNG.

    Args:
        batch_size (int): N, a multiple of ``groups``.
        groups (int): Number of sub-batches (>= 2), N / groups >= 2.

    Returns:
        Tensor: LongTensor (N,): ``x[index]`` is the key batch in key
        sub-batch order (``index.view(m, groups).T`` row j = sub-batch j).
    """
    m = batch_size // groups
    if groups < 2 or m < 2 or m * groups != batch_size:
        raise ValueError(f'split_shuffle_index: need groups >= 2 dividing '
                         f'the batch with >= 2 samples each, got batch '
                         f'{batch_size} and groups {groups}')
    members = torch.arange(batch_size).view(groups, m)
    members = members[torch.randperm(groups)]
    members = members.gather(1, torch.rand(groups, m).argsort(dim=1))
    # position p of the flat list goes to key sub-batch p % groups
    return members.reshape(m, groups).T.reshape(-1)


def forward_in_groups(fn: Callable[[Tensor], Sequence[Tensor]], x: Tensor,
                      groups: int) -> list:
    """Run ``fn`` on each of ``groups`` consecutive sub-batches of ``x``.

    Args:
        fn (callable): Maps a batch (n, ...) to a sequence of tensors
            (n, ...) or None (e.g. embeddings of switched-off tasks).
        x (Tensor): Batch (N, ...), N a multiple of ``groups``.
        groups (int): Number of sub-batches; 1 calls ``fn(x)`` once.

    Returns:
        list: ``fn``'s outputs, each concatenated over the sub-batches in
        their order, shape (N, ...) (None stays None).
    """
    if groups == 1:
        return list(fn(x))
    parts = [fn(chunk) for chunk in x.chunk(groups)]
    return [None if outs[0] is None else torch.cat(outs)
            for outs in zip(*parts)]
