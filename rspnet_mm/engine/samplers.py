"""Samplers that can start an epoch part-way, for resuming without loading
the samples a run has already trained on.

mmengine's samplers only start at the beginning of an epoch, so a resumed
run either repeats the interrupted epoch (``EpochBasedTrainLoop``) or loads
and drops every batch already seen (``IterBasedTrainLoop``). These two are
the stock samplers plus :meth:`skip_next`, which the train loops of
:mod:`rspnet_mm.engine.loops` call on resume: skipping indices costs a
``randperm`` per pass over the data, no decoding.
"""
import itertools
from typing import Iterator

from mmaction.registry import DATA_SAMPLERS
from mmengine.dataset import DefaultSampler, InfiniteSampler


@DATA_SAMPLERS.register_module()
class ResumableSampler(DefaultSampler):
    """``DefaultSampler`` whose next epoch can start after ``n`` samples.

    Same arguments and order as ``DefaultSampler`` (seeded by ``seed +
    epoch``, this rank's share ``indices[rank::world_size]``).
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._skip = 0

    def skip_next(self, count: int) -> None:
        """Leave out this rank's first ``count`` indices of the next epoch
        (one epoch only; the following ones are whole).

        Args:
            count (int): Samples of this rank already used, >= 0.
        """
        if count < 0:
            raise ValueError(f'count must be >= 0, got {count}')
        self._skip = count

    def __iter__(self) -> Iterator[int]:
        indices = list(super().__iter__())
        skip, self._skip = self._skip, 0
        return iter(indices[skip:])


@DATA_SAMPLERS.register_module()
class ResumableInfiniteSampler(InfiniteSampler):
    """``InfiniteSampler`` whose stream can continue after ``n`` samples.

    Same arguments and order as ``InfiniteSampler`` (one generator seeded
    once, a new permutation per pass, this rank's every
    ``world_size``-th index).
    """

    def skip_next(self, count: int) -> None:
        """Restart this rank's stream at its ``count``-th index.

        Args:
            count (int): Samples of this rank already used, >= 0.
        """
        if count < 0:
            raise ValueError(f'count must be >= 0, got {count}')
        self.indices = itertools.islice(self._indices_of_rank(), count, None)
