"""Keep the random number generators' states in checkpoints for resume."""
import logging
import random
from typing import Optional

import numpy as np
import torch
from mmaction.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.runner import IterBasedTrainLoop

STATE_KEY = 'rng_state'


def capture_rng_state() -> dict:
    """The global torch (and CUDA), numpy and Python RNG states as tensors
    and plain values, which ``torch.load(weights_only=True)`` reads.

    Returns:
        dict: ``torch`` (uint8 tensor), ``cuda`` (list of uint8 tensors),
        ``numpy`` (dict), ``python`` (dict).
    """
    name, keys, pos, has_gauss, cached = np.random.get_state()
    version, internal, gauss = random.getstate()
    return dict(
        torch=torch.get_rng_state(),
        cuda=(torch.cuda.get_rng_state_all()
              if torch.cuda.is_available() else []),
        numpy=dict(name=str(name),
                   keys=torch.from_numpy(keys.astype(np.int64)),
                   pos=int(pos), has_gauss=int(has_gauss),
                   cached_gaussian=float(cached)),
        python=dict(version=int(version),
                    internal=torch.tensor(internal, dtype=torch.int64),
                    gauss=gauss))


def restore_rng_state(state: dict, numpy_and_python: bool = True) -> None:
    """Set the generators from :func:`capture_rng_state`'s output.

    Args:
        state (dict): A captured state.
        numpy_and_python (bool): Also restore numpy's and Python's
            generators (else only torch's). Defaults to True.
    """
    torch.set_rng_state(state['torch'])
    if state['cuda'] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])
    if not numpy_and_python:
        return
    np_state = state['numpy']
    np.random.set_state(
        (np_state['name'], np_state['keys'].numpy().astype(np.uint32),
         np_state['pos'], np_state['has_gauss'],
         np_state['cached_gaussian']))
    py_state = state['python']
    random.setstate((py_state['version'],
                     tuple(py_state['internal'].tolist()),
                     py_state['gauss']))


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Save the RNG states with each checkpoint; restore them on resume.

    mmengine's resume restores the model, optimizer, schedulers and message
    hub, and re-seeds from the config; the generators' positions are lost.
    The data order is still right (the samplers derive it from seed and
    epoch; the resumable loops skip the used samples, mmengine's
    ``IterBasedTrainLoop`` replays the used batches), but anything drawn
    from the global generators in the main process after the resume point
    differs from an uninterrupted run: e.g. the shuffle-BN permutation
    (``torch.randperm`` on rank 0) and, with ``num_workers=0``, the data
    augmentation.

    This hook stores ``checkpoint['rng_state']`` (tensors and plain values:
    the safe loader accepts it). When training starts from a resumed
    checkpoint (the runner is at the checkpoint's iteration; ``load_from``
    leaves it at 0, so nothing is restored then), it restores the states
    at the first ``before_train_epoch``: all of them, except when the loop
    replays the used batches after that point (mmengine's
    ``IterBasedTrainLoop``, or a resumable loop whose sampler cannot skip:
    the loop's ``replays_seen_batches``); then only torch's, because the
    replay advances the numpy and Python generators of the pipeline as the
    first run did. The states of the process that saves (rank 0) are
    restored on every rank. With ``num_workers > 0`` the workers' own
    generators restart from their seeds after a resume.
    """
    priority = 'VERY_LOW'

    def __init__(self) -> None:
        self._pending: Optional[dict] = None
        self._resumed_iter: Optional[int] = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint[STATE_KEY] = capture_rng_state()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        self._pending = checkpoint.get(STATE_KEY)
        self._resumed_iter = checkpoint.get('meta', {}).get('iter')

    def before_train_epoch(self, runner) -> None:
        state, self._pending = self._pending, None
        if state is None or not self._resumed_iter or (
                runner.iter != self._resumed_iter):
            return
        loop = runner.train_loop
        replays = getattr(loop, 'replays_seen_batches',
                          isinstance(loop, IterBasedTrainLoop))
        restore_rng_state(state, numpy_and_python=not replays)
        print_log(
            f'RNGStateHook: restored the random generators of iteration '
            f'{runner.iter}'
            + (' (torch; the data replay sets numpy and Python)'
               if replays else ''), logger='current', level=logging.INFO)
