"""Helpers shared by the command-line tools (``tools/train.py``,
``tools/test.py``, ``tools/retrieval.py``): data flags and a quiet console."""
from .console import QuietConsoleMixin, QuietConsoleRunner, build_runner
from .data_options import (
    add_data_arguments,
    apply_data_arguments,
    finish_data_config,
)
from .tool_options import apply_tool_options, parse_tool_args

__all__ = [
    'QuietConsoleMixin', 'QuietConsoleRunner', 'build_runner',
    'add_data_arguments', 'apply_data_arguments', 'finish_data_config',
    'apply_tool_options', 'parse_tool_args'
]
