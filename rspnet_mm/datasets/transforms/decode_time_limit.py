"""A bound on the time one sample's decoding may take.

Two ways, chosen by ``isolate``:

- **in process** (default): an interval timer (``SIGALRM``) interrupts the
  call when the limit passes. Free of cost, and it stops anything that
  returns to the Python interpreter now and then: PyAV decodes packet by
  packet, so a stream that makes it loop (a header that over-reports
  frames) is bounded. It cannot stop a C call that never returns, and
  works only in a process's main thread (the DataLoader's workers, or the
  main process with ``num_workers=0``); elsewhere the isolated way is used.
- **isolated**: the call runs in a child process forked once per process
  (per DataLoader worker) and reused; past the limit the child is killed
  and the next call forks a new one. This stops a decoder stuck inside one
  C call that holds the GIL (decord's loop on an over-reported frame count,
  dmlc/decord#373) and survives a decoder that crashes. Frames come back
  through a pipe (about 15 ms for 40 frames of 640x480 here).

Either way a sample past its limit raises :class:`VideoReadError` (the
dataset skips, counts and logs it with its path) and the process stays
usable. POSIX only (``fork``, ``SIGALRM``); elsewhere calls run unbounded.
"""
import multiprocessing
import os
import signal
import threading
from typing import Callable, Dict, Optional, Tuple

import numpy as np

from .errors import VideoReadError


class _TimeUp(BaseException):
    """Raised by the timer; a BaseException so that the decoders' own
    ``except Exception`` handlers do not turn it into a decode error."""


def _alarm(signum, frame):
    raise _TimeUp()


def _too_slow(path: str, seconds: float, how: str) -> VideoReadError:
    return VideoReadError(
        path, f'decoding took longer than decode_timeout={seconds:g} s '
        f'({how}); the file makes the decoder hang or is far too large: '
        'check it with tools/check_videos.py, re-encode it with '
        'tools/data/transcode_videos.py, or remove it')


def _serve(conn) -> None:
    """The child's loop: run each call sent, send back its outcome."""
    while True:
        try:
            fn, args, seed = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        np.random.seed(seed)
        try:
            outcome = ('ok', fn(*args))
        except BaseException as error:  # sent back to the parent
            outcome = ('error', error)
        try:
            conn.send(outcome)
        except Exception as error:  # an exception that does not pickle
            conn.send(('error', RuntimeError(repr(outcome[1]))
                       if outcome[0] == 'error' else error))


class _Child:
    """One forked child process and the pipe to it."""

    def __init__(self) -> None:
        self.conn, child_conn = multiprocessing.Pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child
            self.conn.close()
            signal.setitimer(signal.ITIMER_REAL, 0)
            _serve(child_conn)
        child_conn.close()

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        self.conn.close()


#: The child of each process (keyed by pid: a forked DataLoader worker must
#: not talk to its parent's child).
_CHILDREN: Dict[int, _Child] = {}


def _child() -> _Child:
    child = _CHILDREN.get(os.getpid())
    if child is None:
        child = _CHILDREN[os.getpid()] = _Child()
    return child


def stop_child() -> None:
    """Stop this process's decode child (the next isolated call forks a
    new one, seeing the process as it is then)."""
    child = _CHILDREN.pop(os.getpid(), None)
    if child is not None:
        child.kill()


def run_isolated(path: str, seconds: float, fn: Callable,
                 args: Tuple = ()) -> object:
    """``fn(*args)`` in this process's decode child, killed after
    ``seconds``.

    ``fn`` and ``args`` are pickled to the child; the child seeds numpy's
    global RNG with a number drawn here, so that random draws inside ``fn``
    follow this process's RNG. The child is a copy of this process as it
    was at its first isolated call (see :func:`stop_child`).

    Raises:
        VideoReadError: Past the limit, or when the child died.
    """
    child = _child()
    seed = int(np.random.randint(2**31))
    try:
        child.conn.send((fn, args, seed))
        ready = child.conn.poll(seconds)
        if ready:
            status, value = child.conn.recv()
    except (EOFError, OSError, BrokenPipeError):
        ready, status, value = True, 'died', None
    if not ready or status == 'died':
        child.kill()
        del _CHILDREN[os.getpid()]
        if not ready:
            raise _too_slow(path, seconds, 'decoder process killed')
        raise VideoReadError(
            path, 'the decoder process died while reading it (a crash in '
            'the decoder); re-encode or remove it')
    if status == 'error':
        raise value
    return value


def run_with_alarm(path: str, seconds: float, fn: Callable,
                   args: Tuple = ()) -> object:
    """``fn(*args)`` interrupted by ``SIGALRM`` after ``seconds`` (main
    thread only)."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn(*args)
    except _TimeUp:
        raise _too_slow(path, seconds, 'interrupted') from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_with_time_limit(path: str, seconds: Optional[float],
                        isolate: bool, fn: Callable,
                        args: Tuple = ()) -> object:
    """``fn(*args)`` bounded to ``seconds`` (None: unbounded).

    Args:
        path (str): The file being decoded (for the error).
        seconds (float | None): The limit.
        isolate (bool): Run in a killable child process instead of under a
            timer in this process.
        fn (Callable): The decode call.
        args (tuple): Its arguments.

    Returns:
        What ``fn`` returns.

    Raises:
        VideoReadError: Past the limit (or from ``fn``).
    """
    if seconds is None or not hasattr(signal, 'SIGALRM'):
        return fn(*args)
    if isolate or threading.current_thread() is not threading.main_thread():
        return run_isolated(path, seconds, fn, args)
    return run_with_alarm(path, seconds, fn, args)
