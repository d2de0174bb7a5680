from .progress_bar_hook import LoopProgressBarHook
from .rng_state_hook import RNGStateHook
from .time_budget_hook import TimeBudgetHook

__all__ = ['LoopProgressBarHook', 'RNGStateHook', 'TimeBudgetHook']
