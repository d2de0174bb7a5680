"""NonFiniteLossHook on a tiny real run whose loss is forced to NaN at one
iteration: 'stop' names the iteration and the loss and keeps the last good
checkpoint; 'skip' skips and counts the step."""
import signal

import pytest
import torch
from mmaction.models.heads import I3DHead

from rspnet_mm.compat import load_checkpoint_file
from rspnet_mm.engine.hooks import NonFiniteLossError, NonFiniteLossHook
from rspnet_mm.testing.recipes import (
    TINY_RECOGNIZER_CONFIG,
    load_tool,
    tiny_recognizer_args,
)


@pytest.fixture
def nan_at_iteration_3(monkeypatch):
    """The classification loss of the third training step is NaN."""
    real_loss = I3DHead.loss
    calls = []

    def loss(self, *args, **kwargs):
        losses = real_loss(self, *args, **kwargs)
        calls.append(1)
        if len(calls) == 3:
            losses['loss_cls'] = losses['loss_cls'] * float('nan')
        return losses

    monkeypatch.setattr(I3DHead, 'loss', loss)
    handler = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, handler)  # a raising run skips after_train


def train(video_set, work, *extra):
    # 4 videos, batch 2: 2 iterations per epoch, 2 epochs
    load_tool('train').main([TINY_RECOGNIZER_CONFIG,
                             *tiny_recognizer_args(video_set, work),
                             *extra])


def finite(checkpoint):
    return all(torch.isfinite(v).all()
               for v in checkpoint['state_dict'].values()
               if v.is_floating_point())


def test_stop_names_the_iteration_and_keeps_the_last_good_checkpoint(
        tiny_video_set, tmp_path, nan_at_iteration_3):
    work = tmp_path / 'work'
    with pytest.raises(NonFiniteLossError) as info:
        train(tiny_video_set, work)
    good = work / 'epoch_1.pth'
    assert str(info.value) == (
        'loss = nan (not finite) at iteration 3 (epoch 2): training stopped '
        'before this step changed the weights. Last good checkpoint: '
        f'{good} (continue from it with --resume, e.g. with a lower lr), or '
        "set default_hooks.non_finite_loss.mode='skip' to skip such steps")
    assert sorted(p.name for p in work.glob('*.pth')) == ['epoch_1.pth']
    assert (work / 'last_checkpoint').read_text() == str(good)
    assert finite(load_checkpoint_file(str(good)))


def test_skip_mode_skips_and_counts_the_step(tiny_video_set, tmp_path,
                                             nan_at_iteration_3, capsys):
    work = tmp_path / 'work'
    train(tiny_video_set, work, 'default_hooks.non_finite_loss.mode=skip')
    out = capsys.readouterr().out
    assert ('loss = nan (not finite) at iteration 3 (epoch 2): step skipped '
            '(1 so far)') in out
    assert 'NonFiniteLossHook: 1 training step(s) were skipped' in out
    last = load_checkpoint_file(str(work / 'epoch_2.pth'))
    assert last['meta']['iter'] == 4
    assert last['message_hub']['runtime_info']['non_finite_loss_skips'] == 1
    assert finite(last)


def test_an_exploding_loss_counts_as_bad(tiny_video_set, tmp_path):
    handler = signal.getsignal(signal.SIGTERM)
    with pytest.raises(NonFiniteLossError,
                       match=r'loss = 0\.\d+ \(above max_loss=0\.01\) at '
                       r'iteration 1 \(epoch 1\).*Last good checkpoint: '
                       'none yet'):
        train(tiny_video_set, tmp_path / 'work',
              'default_hooks.non_finite_loss.max_loss=0.01')
    signal.signal(signal.SIGTERM, handler)


def test_bad_arguments():
    with pytest.raises(ValueError, match="mode must be 'stop' or 'skip'"):
        NonFiniteLossHook(mode='ignore')
