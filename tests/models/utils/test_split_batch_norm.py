import pytest
import torch
import torch.nn as nn

from rspnet_mm.models.utils import (
    forward_in_groups,
    num_bn_groups,
    split_shuffle_index,
)


@pytest.mark.parametrize('batch, splits, groups', [
    (32, 4, 4), (8, 4, 4), (4, 4, 2), (6, 4, 3), (7, 4, 1), (2, 4, 1),
    (10, 4, 2), (16, 1, 1), (3, 8, 1)])
def test_num_bn_groups(batch, splits, groups):
    assert num_bn_groups(batch, splits) == groups


@pytest.mark.parametrize('batch, groups', [(4, 2), (8, 4), (32, 4), (9, 3)])
def test_split_shuffle_index_mixes_every_query_group(batch, groups):
    torch.manual_seed(0)
    m = batch // groups
    for _ in range(20):
        idx = split_shuffle_index(batch, groups)
        assert sorted(idx.tolist()) == list(range(batch))
        for chunk in idx.view(groups, m):
            query_groups = set((chunk // m).tolist())
            assert len(query_groups) == min(m, groups), idx
    # random: not always the same permutation
    draws = {tuple(split_shuffle_index(batch, groups).tolist())
             for _ in range(10)}
    assert len(draws) > 1


def test_split_shuffle_index_rejects_impossible_splits():
    with pytest.raises(ValueError, match='batch 6 and groups 4'):
        split_shuffle_index(6, 4)
    with pytest.raises(ValueError, match='batch 4 and groups 4'):
        split_shuffle_index(4, 4)


def test_forward_in_groups_bn_statistics_per_sub_batch():
    torch.manual_seed(0)
    bn = nn.BatchNorm1d(3, momentum=None).train()  # cumulative average
    x = torch.randn(8, 3) * 5 + 2

    def fn(chunk):
        return bn(chunk), None

    out, nothing = forward_in_groups(fn, x, 4)
    assert nothing is None and out.shape == (8, 3)
    for chunk, got in zip(x.chunk(4), out.chunk(4)):
        mean = chunk.mean(0)
        var = chunk.var(0, unbiased=False)
        torch.testing.assert_close(got, (chunk - mean) / (var + bn.eps).sqrt())
    # the whole-batch statistics would give something else
    whole = (x - x.mean(0)) / (x.var(0, unbiased=False) + bn.eps).sqrt()
    assert not torch.allclose(out, whole, atol=1e-2)
    # running statistics: one update per sub-batch (cumulative mean here)
    assert bn.num_batches_tracked.item() == 4
    torch.testing.assert_close(
        bn.running_mean, torch.stack([c.mean(0) for c in x.chunk(4)]).mean(0))
    assert forward_in_groups(fn, x, 1)[0].shape == (8, 3)
