"""Helpers shared by the RSPNet models."""
from .batch_shuffle import batch_shuffle_ddp, batch_unshuffle_ddp
from .split_batch_norm import (
    forward_in_groups,
    num_bn_groups,
    split_shuffle_index,
)
from .views import NUM_VIEWS

__all__ = [
    'NUM_VIEWS', 'batch_shuffle_ddp', 'batch_unshuffle_ddp',
    'forward_in_groups', 'num_bn_groups', 'split_shuffle_index'
]
