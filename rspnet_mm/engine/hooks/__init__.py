from .progress_bar_hook import LoopProgressBarHook
from .time_budget_hook import TimeBudgetHook

__all__ = ['LoopProgressBarHook', 'TimeBudgetHook']
