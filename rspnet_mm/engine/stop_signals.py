"""Turn SIGTERM / SIGUSR1 into a request to "save and stop".

Slurm sends SIGTERM before pre-empting a job (and, with
``--signal=USR1@T``, SIGUSR1 ``T`` seconds before its time limit). The
default action kills the process mid-iteration; here the handler only
records the signal, and the training code polls :meth:`received` between
iterations, where a checkpoint is consistent.
"""
import os
import signal
from typing import Dict, Optional, Sequence

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
