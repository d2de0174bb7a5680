"""Turn SIGTERM / SIGUSR1 into a request to "save and stop".

Slurm sends SIGTERM before pre-empting a job (and, with
``--signal=USR1@T``, SIGUSR1 ``T`` seconds before its time limit). The
default action kills the process mid-iteration; here the handler only
records the signal, and the training code polls :meth:`received` between
iterations, where a checkpoint is consistent.
"""
import atexit
import functools
import multiprocessing
import os
import signal
from typing import Callable, Dict, Optional, Sequence

import torch
from mmengine.dist import all_reduce, get_world_size


class StopSignalListener:
    """Record the first of ``names`` that arrives, in the installing process.

    Args:
        names (Sequence[str]): Signal names, e.g. ``('SIGTERM',
            'SIGUSR1')``; names this platform lacks are ignored.
    """

    def __init__(self, names: Sequence[str]) -> None:
        unknown = [n for n in names if not n.startswith('SIG')]
        if unknown:
            raise ValueError(f'signal names start with SIG, got {unknown}')
        self.signums = [getattr(signal, n) for n in names
                        if hasattr(signal, n)]
        self._previous: Dict[int, object] = {}
        self._pid: Optional[int] = None
        self.name: Optional[str] = None

    def install(self) -> None:
        """Start listening (main thread only, as ``signal.signal``)."""
        self._pid = os.getpid()
        self.name = None
        for signum in self.signums:
            self._previous[signum] = signal.signal(signum, self._record)

    def uninstall(self) -> None:
        """Put the previous handlers back."""
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

    def _record(self, signum, frame) -> None:
        # dataloader workers forked after install() inherit this handler;
        # they ignore the signal and are shut down by the main process
        if os.getpid() == self._pid and self.name is None:
            self.name = signal.Signals(signum).name

    def received(self) -> bool:
        """Whether any process of the run has received a signal (all
        ranks agree: a collective call when distributed)."""
        flag = self.name is not None
        if get_world_size() > 1:
            votes = torch.tensor([int(flag)])
            all_reduce(votes)
            flag = bool(votes.item())
            if flag and self.name is None:
                self.name = 'a stop signal (on another rank)'
        return flag



_EXITING = None  # shared flag: the main process has begun to exit


def _mark_exiting() -> None:
    _EXITING.value = 1


def _protected_worker_init(worker_id: int, init_fn: Optional[Callable],
                           exiting, parent: int) -> None:
    if init_fn is not None:
        init_fn(worker_id)
    signal.signal(signal.SIGUSR1, signal.SIG_IGN)

    def on_sigterm(signum, frame):
        # die when the main process terminates its workers at exit (or is
        # gone); ignore a SIGTERM sent to the whole job while it saves
        if exiting.value or os.getppid() != parent:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGTERM, on_sigterm)


def protect_workers(init_fn: Optional[Callable[[int], None]] = None
                    ) -> Callable[[int], None]:
    """A DataLoader ``worker_init_fn`` that runs ``init_fn`` and keeps the
    worker alive through a "save and stop" signal.

    Slurm signals every process of a job step, DataLoader workers included;
    a worker killed by SIGTERM makes torch raise in the main process
    ("DataLoader worker ... is killed by signal") before the checkpoint is
    written. Protected workers ignore SIGUSR1, and SIGTERM until the main
    process exits (its ``multiprocessing`` exit handler terminates them with
    SIGTERM) or dies.

    Args:
        init_fn (Callable, optional): The loader's own ``worker_init_fn``.

    Returns:
        Callable[[int], None]: The ``worker_init_fn`` to set.
    """
    global _EXITING
    if _EXITING is None:
        _EXITING = multiprocessing.Value('b', 0, lock=False)
        atexit.register(_mark_exiting)  # runs before multiprocessing's
    return functools.partial(_protected_worker_init, init_fn=init_fn,
                             exiting=_EXITING, parent=os.getpid())
