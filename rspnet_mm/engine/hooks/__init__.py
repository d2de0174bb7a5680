from .progress_bar_hook import LoopProgressBarHook

__all__ = ['LoopProgressBarHook']
