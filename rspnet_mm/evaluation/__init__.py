from . import metrics  # noqa: F401
from .representation_monitor_loop import RepresentationMonitorLoop

__all__ = ['RepresentationMonitorLoop']
