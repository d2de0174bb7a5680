import torch

from rspnet_mm.models.utils import batch_shuffle_ddp, batch_unshuffle_ddp


def test_single_process_is_the_identity():
    # across processes: tests/distributed/test_rspnet_ddp.py
    x = torch.randn(4, 3, 2)
    shuffled, idx_unshuffle = batch_shuffle_ddp(x)
    assert shuffled is x and idx_unshuffle is None
    assert batch_unshuffle_ddp(x, None) is x
