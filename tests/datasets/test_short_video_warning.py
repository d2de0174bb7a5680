"""Videos shorter than an RSPNet window are counted and the first one is
named, once per worker."""
import os

import pytest

from rspnet_mm.datasets import short_video_warning as warning
from rspnet_mm.datasets.transforms import RelativeSpeedSampler
from rspnet_mm.testing.broken_videos import gradient_frames
from rspnet_mm.testing.videos import write_video


@pytest.fixture(autouse=True)
def fresh_counts(monkeypatch):
    monkeypatch.setattr(warning, '_state',
                        dict(pid=None, paths=set(), first=None))


def test_first_short_video_named_then_counted_at_powers_of_ten():
    assert warning.note_short_video('long.mp4', 40, 32) is None
    first = warning.note_short_video('v0.mp4', 20, 32)
    assert first.startswith('v0.mp4 has 20 frames, fewer than a window of '
                            '32 (clip_len x max(speeds))')
    assert warning.note_short_video('v0.mp4', 20, 32) is None  # once a file
    logged = [warning.note_short_video(f'v{i}.mp4', 20, 32)
              for i in range(1, 100)]
    shown = [i + 2 for i, m in enumerate(logged) if m]  # v1 is the 2nd
    assert shown == [10, 100]  # distinct videos 10 and 100
    assert logged[8].startswith('10 videos shorter than a window (32 '
                                f'frames) looped so far in this worker (pid '
                                f'{os.getpid()}); the first was v0.mp4')
    assert warning.short_video_counts() == dict(count=100, first='v0.mp4')


def test_another_process_counts_on_its_own(monkeypatch):
    warning.note_short_video('a.mp4', 5, 32)
    monkeypatch.setattr(warning, '_state',
                        dict(warning._state, pid=-1))  # as if forked
    assert warning.short_video_counts() == dict(count=0, first=None)


def test_sampler_reports_a_looped_video(tmp_path):
    path = str(write_video(tmp_path / 'short.mp4', gradient_frames(12)))
    sampler = RelativeSpeedSampler(clip_len=4, speeds=(1, 8))  # window 32
    sampler(dict(filename=path))
    assert warning.short_video_counts() == dict(count=1, first=path)
    fits = RelativeSpeedSampler(clip_len=4, speeds=(1, 2))  # window 8
    fits(dict(filename=str(write_video(tmp_path / 'ok.mp4',
                                       gradient_frames(12)))))
    assert warning.short_video_counts()['count'] == 1
