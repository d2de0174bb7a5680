from collections import Counter

import numpy as np
import pytest
from mmaction.registry import TRANSFORMS
from mmengine.dataset import worker_init_fn

from rspnet_mm.datasets.transforms import (
    RelativeSpeedSampler,
    VideoReadError,
    decode_recovery,
)
from rspnet_mm.datasets.transforms.frame_sources import BACKENDS, PyAVReader


def sample(path, **kwargs):
    return RelativeSpeedSampler(**kwargs)(dict(filename=str(path)))


def check_views(results, shown_indices, clip_len=16):
    """Views are window start + speed * i and show exactly those frames."""
    inds, speeds = results['frame_inds'], results['speeds']
    starts, total = results['window_starts'], results['total_frames']
    steps = np.arange(clip_len)
    for view, window in enumerate((0, 1, 1)):
        expected = (starts[window] + speeds[view] * steps) % total
        np.testing.assert_array_equal(inds[view], expected)
        frames = results['imgs'][results['view_rows'][view]]
        assert shown_indices(frames) == inds[view].tolist()


def test_builds_from_registry():
    sampler = TRANSFORMS.build(
        dict(type='RelativeSpeedSampler', clip_len=8, speeds=(1, 2, 4)))
    assert isinstance(sampler, RelativeSpeedSampler)
    assert sampler.window_len == 32
    assert 'speeds=(1, 2, 4)' in repr(sampler)


def test_output_keys_shapes_and_dtypes(video_dir):
    np.random.seed(0)
    results = sample(video_dir / 'v80.mp4')
    imgs = results['imgs']
    assert imgs.dtype == np.uint8 and imgs.shape[1:] == (48, 64, 3)
    assert 16 <= imgs.shape[0] <= 16 + 24  # only the frames views use
    assert results['view_rows'].shape == (3, 16)
    assert results['frame_inds'].shape == (3, 16)
    assert results['speeds'].dtype == np.int64
    assert results['total_frames'] == 80
    assert results['clip_len'] == 16 and results['num_clips'] == 3
    assert results['img_shape'] == results['original_shape'] == (48, 64)
    assert ((results['window_starts'] >= 0)
            & (results['window_starts'] <= 80 - 32)).all()


def test_views_are_start_plus_speed_times_i(video_dir, shown_indices):
    np.random.seed(1)
    for _ in range(10):
        check_views(sample(video_dir / 'v80.mp4'), shown_indices)


def test_window_spans_clip_len_times_max_speed(video_dir):
    np.random.seed(2)
    for _ in range(10):
        results = sample(video_dir / 'v80.mp4')
        s_q, _, s_neg = results['speeds']
        start_b = results['window_starts'][1]
        used_b = np.concatenate(results['frame_inds'][1:])
        assert used_b.min() == start_b
        assert used_b.max() == start_b + 15 * max(s_q, s_neg) <= start_b + 31
        # Window B holds the union of k+ and k-: 24 frames at speeds 1, 2.
        assert len(np.unique(used_b)) == 24


@pytest.mark.parametrize('backend', ['pyav', 'decord'])
def test_one_reader_and_one_sorted_decode_call(video_dir, monkeypatch,
                                               shown_indices, backend):
    opened, batches = [], []
    real = BACKENDS[backend]

    class Spy(real):

        def __init__(self, *args, **kwargs):
            opened.append(args[0])
            super().__init__(*args, **kwargs)

        def read(self, indices):
            batches.append(list(indices))
            return super().read(indices)

    monkeypatch.setitem(BACKENDS, backend, Spy)
    np.random.seed(3)
    results = sample(video_dir / 'v80.mp4', backend=backend)
    assert len(opened) == 1 and len(batches) == 1
    assert batches[0] == sorted(set(batches[0]))
    assert batches[0] == np.unique(results['frame_inds']).tolist()
    assert len(batches[0]) <= 16 + 24
    assert results['decoded_by'] == backend
    check_views(results, shown_indices)


def test_speed_order_is_drawn_per_sample(video_dir):
    np.random.seed(4)
    orders = Counter()
    for _ in range(80):
        s_q, s_kpos, s_neg = sample(video_dir / 'v20.mp4')['speeds']
        assert s_q == s_kpos != s_neg
        orders[(int(s_q), int(s_neg))] += 1
    assert set(orders) == {(1, 2), (2, 1)}
    assert 0.3 < orders[(1, 2)] / 80 < 0.7


def test_short_video_is_looped(video_dir, shown_indices):
    np.random.seed(5)
    for _ in range(4):
        results = sample(video_dir / 'v20.mp4')
        assert results['window_starts'].tolist() == [0, 0]
        assert results['total_frames'] == 20
        check_views(results, shown_indices)
        assert results['frame_inds'].max() < 20


def test_three_speeds(video_dir, shown_indices):
    np.random.seed(6)
    pairs = Counter()
    for _ in range(40):
        results = sample(video_dir / 'v80.mp4', speeds=(1, 2, 4))
        assert (results['window_starts'] <= 80 - 64).all()
        check_views(results, shown_indices)
        s_q, s_kpos, s_neg = results['speeds'].tolist()
        assert s_q == s_kpos != s_neg
        pairs[(s_q, s_neg)] += 1
    assert set(pairs) == {(a, b) for a in (1, 2, 4) for b in (1, 2, 4)
                          if a != b}


def test_seeded_by_mmengine_worker_seeding(video_dir):
    def draw(seed):
        worker_init_fn(worker_id=1, num_workers=2, rank=0, seed=seed)
        results = sample(video_dir / 'v80.mp4')
        return results['frame_inds'], results['speeds']

    first, again, other = draw(7), draw(7), draw(8)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0])


def test_reduced_size_decoding(video_dir, shown_indices):
    np.random.seed(8)
    results = sample(video_dir / 'v80.mp4', decode_short_side=24)
    assert results['imgs'].shape[1:] == (24, 32, 3)
    assert results['img_shape'] == (24, 32)
    check_views(results, shown_indices)


@pytest.mark.parametrize(
    'kwargs, message',
    [(dict(clip_len=0), 'clip_len=0: must be an int >= 2'),
     (dict(clip_len=1), 'clip_len=1: must be an int >= 2'),
     (dict(speeds=(2, )), r'speeds=\(2,\): need at least two'),
     (dict(speeds=(1, 1)), 'each speed may appear once'),
     (dict(num_threads=-1), 'num_threads=-1: must be an int >= 0'),
     (dict(decode_short_side=0), 'decode_short_side=0: must be a positive'),
     ])
def test_bad_config_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RelativeSpeedSampler(**kwargs)


def test_missing_filename_key():
    with pytest.raises(KeyError, match='needs results\\["filename"\\]'):
        RelativeSpeedSampler()(dict(video='a.mp4'))


@pytest.mark.parametrize(
    'name, reason',
    [('missing.mp4', 'file not found'),
     ('random.mp4', 'no backend reads it .pyav: PyAV cannot open it .*; '
      'decord: decord cannot open it'),
     ('truncated.mp4', 'no backend reads it .pyav: .*; decord: decord '
      'cannot open it'),
     ('no_frames.mp4', 'no backend reads it .pyav: .*; decord: decord '
      'cannot open it')])
def test_unreadable_files_raise_video_read_error(video_dir, name, reason):
    path = str(video_dir / name)
    with pytest.raises(VideoReadError, match=reason) as info:
        sample(path, fallback_backends=['decord'])
    assert info.value.path == path
    assert str(info.value).startswith(f'cannot read video {path}: ')


def fake_sample(monkeypatch, reader, path):
    monkeypatch.setitem(BACKENDS, 'fake', reader)
    return sample(path, backend='fake', fallback_backends=[])


def fake_reader(claimed=None, spurious=0, batch_fails=False):
    """A reader class (backend ``'fake'``) that misbehaves in a controlled
    way, over PyAV.

    Args:
        claimed (int | None): Frame count to claim; frames past the real
            ones fail to decode, as with a damaged stream.
        spurious (int): How many first ``read`` calls fail anyway.
        batch_fails (bool): Calls asking for more than one frame fail.
    """
    calls = []

    class Reader:

        def __init__(self, path, *args):
            self.path = path
            self.real = PyAVReader(path, *args)

        def __len__(self):
            return claimed or len(self.real)

        def read(self, indices):
            calls.append(list(indices))
            if len(calls) <= spurious:
                raise VideoReadError(self.path, 'spurious failure')
            if max(indices) >= len(self.real):
                raise VideoReadError(self.path,
                                     f'frame {max(indices)} does not decode')
            if batch_fails and len(indices) > 1:
                raise VideoReadError(self.path, 'batch failed')
            return self.real.read(indices)

    Reader.calls = calls
    return Reader


def test_recovers_when_header_claims_more_frames(video_dir, monkeypatch,
                                                  shown_indices):
    reader = fake_reader(claimed=60)
    warnings = []
    monkeypatch.setattr(decode_recovery, 'print_log',
                        lambda msg, **kwargs: warnings.append(msg))
    np.random.seed(9)
    results = fake_sample(monkeypatch, reader, video_dir / 'v20.mp4')
    assert results['total_frames'] == 20
    assert results['window_starts'].tolist() == [0, 0]  # looped in 20
    check_views(results, shown_indices)
    assert len(warnings) == 1
    assert 'header says 60 frames, only the first 20 decode' in warnings[0]
    assert 'v20.mp4' in warnings[0]
    assert max(reader.calls[-1]) < 20


def test_retries_a_spurious_failure_with_the_same_frames(
        video_dir, monkeypatch, shown_indices):
    reader = fake_reader(spurious=1)
    np.random.seed(10)
    results = fake_sample(monkeypatch, reader, video_dir / 'v80.mp4')
    assert len(reader.calls) == 2 and reader.calls[0] == reader.calls[1]
    assert results['total_frames'] == 80
    check_views(results, shown_indices)


def test_no_decodable_frames_error(video_dir, monkeypatch):
    path = str(video_dir / 'v80.mp4')
    with pytest.raises(VideoReadError,
                       match='none of its 80 frames decode') as info:
        fake_sample(monkeypatch, fake_reader(spurious=10**6), path)
    assert info.value.path == path


def test_failing_again_error(video_dir, monkeypatch):
    with pytest.raises(VideoReadError,
                       match='header says 80 frames, the first 80 decode one '
                       'by one, but decoding frames .* failed again'):
        fake_sample(monkeypatch, fake_reader(batch_fails=True),
                    video_dir / 'v80.mp4')


def test_damaged_file_is_sampled_within_its_prefix_or_reported(
        video_dir, shown_indices):
    # decord decodes ahead in a thread, so whether frames next to the
    # damage decode depends on timing: both outcomes are valid, each must
    # be right.
    path = str(video_dir / 'damaged.mp4')
    np.random.seed(11)
    try:
        results = sample(path)
    except VideoReadError as error:
        assert error.path == path
        assert ('header says 60 frames' in error.reason
                or 'none of its 60 frames decode' in error.reason)
    else:
        assert results['total_frames'] < 60
        assert results['frame_inds'].max() < results['total_frames']
