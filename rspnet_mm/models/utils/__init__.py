"""Helpers shared by the RSPNet models."""
from .batch_shuffle import batch_shuffle_ddp, batch_unshuffle_ddp

__all__ = ['batch_shuffle_ddp', 'batch_unshuffle_ddp']
