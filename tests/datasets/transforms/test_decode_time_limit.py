import os
import signal
import time

import numpy as np
import pytest

from rspnet_mm.datasets.transforms import RelativeSpeedSampler, VideoReadError
from rspnet_mm.datasets.transforms.decode_time_limit import (
    run_isolated,
    run_with_alarm,
    run_with_time_limit,
    stop_child,
)
from rspnet_mm.datasets.transforms.frame_sources import BACKENDS
from rspnet_mm.testing.broken_videos import HangingReader, hold_the_gil


def die():
    os.kill(os.getpid(), signal.SIGKILL)


def fail():
    raise VideoReadError('y.mp4', 'bad frames')


@pytest.fixture(autouse=True)
def fresh_child():
    """Each test forks its own decode child (after its monkeypatching)."""
    stop_child()
    yield
    stop_child()


def test_alarm_stops_a_python_level_block():
    start = time.perf_counter()
    with pytest.raises(VideoReadError, match=r'decoding took longer than '
                       r'decode_timeout=0.3 s \(interrupted\)') as info:
        run_with_alarm('x.mp4', 0.3, time.sleep, (30, ))
    assert time.perf_counter() - start < 3
    assert info.value.path == 'x.mp4'
    # The timer and the handler are restored.
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None,
                                                signal.default_int_handler)


def test_isolated_child_is_killed_in_a_gil_holding_loop_and_replaced():
    start = time.perf_counter()
    with pytest.raises(VideoReadError, match='decoder process killed'):
        run_isolated('x.mp4', 1.0, hold_the_gil)
    assert time.perf_counter() - start < 6
    # The next call gets a fresh child and works.
    assert run_isolated('x.mp4', 5.0, sum, ([1, 2, 3], )) == 6


def test_isolated_child_passes_errors_and_follows_the_rng():
    with pytest.raises(VideoReadError, match='y.mp4: bad frames'):
        run_isolated('y.mp4', 5.0, fail)
    np.random.seed(0)
    first = run_isolated('y.mp4', 5.0, np.random.rand)
    np.random.seed(0)
    assert run_isolated('y.mp4', 5.0, np.random.rand) == first


def test_a_crashing_decoder_is_a_video_error():
    with pytest.raises(VideoReadError, match='decoder process died'):
        run_isolated('z.mp4', 5.0, die)
    assert run_isolated('z.mp4', 5.0, max, (4, 9)) == 9


def test_no_limit_runs_directly():
    assert run_with_time_limit('a.mp4', None, True, os.getpid) == os.getpid()


@pytest.mark.parametrize('isolate, gil', [(False, False), (True, True)])
def test_sampler_bounds_a_blocking_decoder(video_dir, tmp_path, monkeypatch,
                                           isolate, gil):
    monkeypatch.setattr(HangingReader, 'gil', gil)
    monkeypatch.setitem(BACKENDS, 'hanging', HangingReader)
    hang = tmp_path / 'hang.mp4'
    hang.write_bytes((video_dir / 'v80.mp4').read_bytes())
    sampler = RelativeSpeedSampler(backend='hanging', fallback_backends=[],
                                   decode_timeout=1.0,
                                   isolate_decoder=isolate)
    start = time.perf_counter()
    with pytest.raises(VideoReadError, match='decode_timeout=1 s') as info:
        sampler(dict(filename=str(hang)))
    assert time.perf_counter() - start < 6
    assert info.value.path == str(hang)
    good = sampler(dict(filename=str(video_dir / 'v80.mp4')))
    assert good['total_frames'] == 80


@pytest.mark.parametrize('backend', sorted(BACKENDS))
def test_over_reported_frame_count_ends_in_time(video_dir, backend):
    # The header claims 60 frames, the second half of the data is zeros.
    sampler = RelativeSpeedSampler(backend=backend, fallback_backends=[],
                                   decode_timeout=20.0, isolate_decoder=True)
    start = time.perf_counter()
    path = str(video_dir / 'damaged.mp4')
    np.random.seed(0)
    try:
        results = sampler(dict(filename=path))
    except VideoReadError as error:
        assert error.path == path
    else:
        assert results['total_frames'] < 60
    assert time.perf_counter() - start < 20
