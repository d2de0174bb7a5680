"""Shuffle-BN across processes for the momentum (key) encoder.

MoCo's trick (He et al., CVPR 2020, Sec. 3.3): the keys of a batch are
encoded after a random permutation of the samples across all processes, so
that the BatchNorm statistics of the key encoder on each process come from
other samples than those of the query encoder; this removes the shortcut of
"cheating" through batch statistics. In one process it is the identity.

Both helpers use ``mmengine.dist``; they work with gloo on CPU and with NCCL
on GPUs (tensors stay on the device of the input). Every process must pass
the same batch size.
"""
from typing import Optional, Tuple

import torch
from mmengine.dist import all_gather, broadcast, get_rank, get_world_size
from torch import Tensor


def batch_shuffle_ddp(x: Tensor) -> Tuple[Tensor, Optional[Tensor]]:
    """Shuffle a batch across all processes.

    Args:
        x (Tensor): Local batch, shape (N, ...); N must be equal on every
            process.

    Returns:
        tuple[Tensor, Tensor | None]: This process's slice of the shuffled
        global batch, shape (N, ...), and the index that undoes the shuffle,
        shape (N * world_size,), for :func:`batch_unshuffle_ddp`. In a
        single process the input and None are returned.
    """
    world_size = get_world_size()
    if world_size == 1:
        return x, None
    gathered = torch.cat(all_gather(x.detach().contiguous()), dim=0)
    total = gathered.shape[0]
    # the permutation is drawn on rank 0 and shared, so every process
    # agrees on who encodes which sample
    if get_rank() == 0:
        idx_shuffle = torch.randperm(total, device=x.device)
    else:
        idx_shuffle = torch.empty(total, dtype=torch.long, device=x.device)
    broadcast(idx_shuffle, src=0)
    idx_unshuffle = torch.argsort(idx_shuffle)
    local = total // world_size
    own = idx_shuffle.view(world_size, local)[get_rank()]
    return gathered[own], idx_unshuffle


def batch_unshuffle_ddp(x: Tensor, idx_unshuffle: Optional[Tensor]) -> Tensor:
    """Undo :func:`batch_shuffle_ddp` on the encoded batch.

    Args:
        x (Tensor): This process's encoded slice, shape (N, ...).
        idx_unshuffle (Tensor | None): Index returned by
            :func:`batch_shuffle_ddp`; None means nothing was shuffled.

    Returns:
        Tensor: The encodings of this process's own samples, in their
        original order, shape (N, ...).
    """
    if idx_unshuffle is None:
        return x
    world_size = get_world_size()
    gathered = torch.cat(all_gather(x.detach().contiguous()), dim=0)
    local = gathered.shape[0] // world_size
    own = idx_unshuffle.view(world_size, local)[get_rank()]
    return gathered[own]
