"""Runtime components: hooks, train loops and samplers for resumable runs,
the ``atomic_local`` file backend and the checked-resume runner."""
from . import checkpoint_files, hooks  # noqa: F401
from .loops import ResumableEpochBasedTrainLoop, ResumableIterBasedTrainLoop
from .runner import CheckedRunner
from .samplers import ResumableInfiniteSampler, ResumableSampler

__all__ = [
    'CheckedRunner', 'ResumableEpochBasedTrainLoop',
    'ResumableIterBasedTrainLoop', 'ResumableInfiniteSampler',
    'ResumableSampler'
]
