"""RNGStateHook: generator states travel in checkpoints (safely loadable)
and make an epoch-based resume with in-process data loading exact."""
import random

import numpy as np
import pytest
import torch

from rspnet_mm.compat import load_checkpoint_file
from rspnet_mm.engine.hooks.rng_state_hook import (
    capture_rng_state,
    restore_rng_state,
)
from rspnet_mm.testing.recipes import (
    TINY_RECOGNIZER_CONFIG,
    load_tool,
    tiny_recognizer_args,
)


def _draws():
    return (torch.rand(3).tolist(), np.random.rand(3).tolist(),
            [random.random() for _ in range(3)], np.random.randn())


def test_capture_and_restore_round_trip(tmp_path):
    np.random.randn()  # leaves a cached gaussian in numpy's state
    random.gauss(0, 1)
    state = capture_rng_state()
    first = _draws()
    path = tmp_path / 'ckpt.pth'
    torch.save({'rng_state': state}, path)
    loaded = load_checkpoint_file(str(path))['rng_state']  # safe loader
    restore_rng_state(loaded)
    assert _draws() == first
    restore_rng_state(loaded, numpy_and_python=False)
    torch_only = _draws()
    assert torch_only[0] == first[0] and torch_only[1] != first[1]


def _train(work, video_set, *extra, hook=True):
    train = load_tool('train')
    config = work.parent / f'{work.name}_cfg.py'
    config.write_text(
        f"_base_ = ['{TINY_RECOGNIZER_CONFIG}']\n"
        # the runtime base turns the hook on; the control run removes it
        + ("custom_hooks = [dict(type='RNGStateHook')]\n" if hook else
           'custom_hooks = []\n'))
    args = tiny_recognizer_args(video_set, work)
    train.main([str(config), *args, *extra])
    last = work / 'epoch_2.pth'
    return load_checkpoint_file(str(last)) if last.exists() else None


def _same_weights(a, b):
    return all(torch.allclose(a['state_dict'][k], b['state_dict'][k],
                              rtol=1e-5, atol=1e-7) for k in a['state_dict'])


@pytest.mark.parametrize('hook', [True, False])
def test_epoch_based_resume_matches_uninterrupted_run_with_the_hook(
        tiny_video_set, tmp_path, hook):
    full = _train(tmp_path / 'full', tiny_video_set, hook=hook)
    _train(tmp_path / 'cut', tiny_video_set, 'train_cfg.max_epochs=1',
           hook=hook)
    resumed = _train(tmp_path / 'cut', tiny_video_set, '--resume',
                     hook=hook)
    assert resumed['meta']['epoch'] == 2
    # without the hook the second epoch's augmentation draws start from
    # the seed again instead of where the first epoch left them
    assert _same_weights(full, resumed) == hook
