from .atomic_checkpoint_hook import AtomicCheckpointHook
from .first_iters_logger_hook import FirstItersLoggerHook
from .load_from_check_hook import LoadFromCheckHook
from .loop_progress_bar_hook import LoopProgressBarHook
from .non_finite_loss_hook import NonFiniteLossError, NonFiniteLossHook
from .rng_state_hook import RNGStateHook
from .time_budget_hook import TimeBudgetHook

__all__ = [
    'AtomicCheckpointHook', 'LoopProgressBarHook', 'NonFiniteLossError',
    'NonFiniteLossHook', 'RNGStateHook', 'TimeBudgetHook',
    'FirstItersLoggerHook', 'LoadFromCheckHook'
]
