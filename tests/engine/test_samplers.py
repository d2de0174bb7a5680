"""The resumable samplers give the stock samplers' order, minus the
samples skipped."""
import itertools

import pytest
from mmengine.dataset import DefaultSampler, InfiniteSampler

from rspnet_mm.engine.samplers import (
    ResumableInfiniteSampler,
    ResumableSampler,
)

DATASET = list(range(10))


def test_resumable_sampler_skips_once_into_the_same_permutation():
    stock = DefaultSampler(DATASET, shuffle=True, seed=7)
    ours = ResumableSampler(DATASET, shuffle=True, seed=7)
    for sampler in (stock, ours):
        sampler.set_epoch(3)
    full = list(stock)
    assert sorted(full) == DATASET
    ours.skip_next(4)
    assert list(ours) == full[4:]
    assert list(ours) == full  # the next pass is whole again
    assert len(ours) == len(stock) == 10


def test_resumable_infinite_sampler_continues_the_stream():
    stock = InfiniteSampler(DATASET, shuffle=True, seed=7)
    ours = ResumableInfiniteSampler(DATASET, shuffle=True, seed=7)
    stream = list(itertools.islice(iter(stock), 35))  # 3.5 passes
    ours.skip_next(23)
    assert list(itertools.islice(iter(ours), 12)) == stream[23:35]


@pytest.mark.parametrize('cls', [ResumableSampler, ResumableInfiniteSampler])
def test_negative_skip_is_an_error(cls):
    with pytest.raises(ValueError, match='count must be >= 0, got -1'):
        cls(DATASET, seed=0).skip_next(-1)
