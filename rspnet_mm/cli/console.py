"""A quiet terminal for the tools: the long reports go to the log file.

mmengine's runner prints the whole config, the system environment and the
table of hooks (about 250 lines) before the first loss, and two deprecation
warnings that mmengine raises against its own ``CheckpointHook``
(``FileClient``, ``HardDiskBackend``). :class:`QuietConsoleRunner` keeps all
of them in the work dir's log file and prints one line saying where they
are.
"""
import logging
import os.path as osp

from mmaction.registry import RUNNERS
from mmengine.config import Config
from mmengine.runner import Runner

#: Starts of log messages that only go to the log file.
FILE_ONLY_PREFIXES = (
    'Config:\n',
    'Hooks will be executed in the following order',
    '\n' + '-' * 60 + '\nSystem environment:',
    'Distributed training is not used, all SyncBatchNorm',
)
#: Parts of upstream warnings that tell a user nothing (mmengine warns
#: about its own use of deprecated names); in the log file only.
UPSTREAM_NOISE = (
    '"FileClient" will be deprecated in future',
    'is the alias of "LocalBackend" and the former will be deprecated',
)


class FileOnlyFilter(logging.Filter):
    """Drops the config dump, the environment, the hook table and upstream
    deprecation noise from the handler it is attached to."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith(FILE_ONLY_PREFIXES)
                    or any(part in message for part in UPSTREAM_NOISE))


def quiet_console(logger: logging.Logger) -> None:
    """Attach :class:`FileOnlyFilter` to the logger's terminal handlers
    (not to its file handlers), once."""
    for handler in logger.handlers:
        if isinstance(handler, logging.FileHandler) or not isinstance(
                handler, logging.StreamHandler):
            continue
        if not any(isinstance(f, FileOnlyFilter) for f in handler.filters):
            handler.addFilter(FileOnlyFilter())


class QuietConsoleMixin:
    """Mixin for a ``Runner`` class: its terminal shows no config dump,
    hook table or environment report; the log file keeps them, and the
    first terminal line names the log file."""

    def build_logger(self, log_level='INFO', log_file=None, **kwargs):
        """Build the logger as ``Runner`` does, then quiet its terminal."""
        if log_file is None:
            log_file = osp.join(self._log_dir, f'{self.timestamp}.log')
        logger = super().build_logger(log_level, log_file, **kwargs)
        quiet_console(logger)
        logger.info(f'config, environment and hooks: {log_file}')
        return logger


class QuietConsoleRunner(QuietConsoleMixin, Runner):
    """mmengine's ``Runner`` with :class:`QuietConsoleMixin`."""


def quiet_runner_class(runner_cls: type) -> type:
    """``runner_cls`` with :class:`QuietConsoleMixin` in front."""
    if issubclass(runner_cls, QuietConsoleMixin):
        return runner_cls
    if runner_cls is Runner:
        return QuietConsoleRunner
    return type(f'Quiet{runner_cls.__name__}',
                (QuietConsoleMixin, runner_cls), {})


def build_runner(cfg: Config) -> Runner:
    """Build the config's runner (``runner_type``, default ``Runner``) with
    a quiet terminal (:class:`QuietConsoleMixin`). A training config
    without ``FirstItersLoggerHook`` in ``custom_hooks`` gets it (configs
    that replace the shared runtime's ``custom_hooks`` lose it).

    Args:
        cfg (Config): A complete config.

    Returns:
        Runner: The runner, not started.
    """
    hooks = list(cfg.get('custom_hooks') or [])
    if cfg.get('train_cfg') and not any(
            h.get('type') == 'FirstItersLoggerHook' for h in hooks):
        cfg.custom_hooks = [*hooks, dict(type='FirstItersLoggerHook')]
    runner_type = cfg.get('runner_type', 'Runner')
    runner_cls = (runner_type if isinstance(runner_type, type) else
                  RUNNERS.get(runner_type))
    if runner_cls is None:
        raise KeyError(f'runner_type={runner_type!r} is not registered; '
                       'import the module that registers it '
                       '(custom_imports)')
    return quiet_runner_class(runner_cls).from_cfg(cfg)
