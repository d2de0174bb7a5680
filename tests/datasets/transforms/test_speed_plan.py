from collections import Counter

import numpy as np
import pytest

from rspnet_mm.datasets.transforms.speed_plan import (
    check_speed_config,
    draw_speed_pair,
    draw_window_start,
    view_frame_indices,
    window_length,
)


def test_check_speed_config_sorts_and_accepts():
    assert check_speed_config(16, (2, 1)) == (1, 2)
    assert check_speed_config(16, [4, 1, 2]) == (1, 2, 4)
    assert check_speed_config(np.int64(8), (1, np.int64(3))) == (1, 3)


@pytest.mark.parametrize('clip_len', [0, 1, -4, 2.5, True, '16'])
def test_check_speed_config_rejects_clip_len(clip_len):
    with pytest.raises(ValueError, match=f'clip_len={clip_len!r}: must be'):
        check_speed_config(clip_len, (1, 2))


@pytest.mark.parametrize(
    'speeds, message',
    [((2, ), 'need at least two positive int'),
     ((0, 2), 'need at least two positive int'),
     ((-1, 2), 'need at least two positive int'),
     ((1.5, 2), 'need at least two positive int'),
     ((1, 1), 'each speed may appear once'),
     (3, 'must be a sequence of ints')])
def test_check_speed_config_rejects_speed_sets(speeds, message):
    with pytest.raises(ValueError, match=message) as info:
        check_speed_config(16, speeds)
    assert f'speeds={speeds!r}' in str(info.value)


def test_window_length_is_clip_len_times_fastest_speed():
    assert window_length(16, (1, 2)) == 32
    assert window_length(16, (1, 2, 4)) == 64
    assert window_length(8, (2, 3)) == 24


def test_draw_window_start_is_uniform_over_valid_starts():
    np.random.seed(0)
    starts = Counter(draw_window_start(40, 32) for _ in range(2000))
    assert sorted(starts) == list(range(9))  # 0 .. 40 - 32
    assert min(starts.values()) > 2000 / 9 * 0.7


def test_draw_window_start_is_zero_when_video_is_short():
    np.random.seed(0)
    assert {draw_window_start(20, 32) for _ in range(50)} == {0}
    assert {draw_window_start(32, 32) for _ in range(50)} == {0}


def test_draw_speed_pair_both_orders_about_half():
    np.random.seed(1)
    pairs = Counter(draw_speed_pair((1, 2)) for _ in range(4000))
    assert set(pairs) == {(1, 2), (2, 1)}
    assert abs(pairs[(1, 2)] / 4000 - 0.5) < 0.03


def test_draw_speed_pair_three_speeds_covers_all_ordered_pairs():
    np.random.seed(2)
    pairs = Counter(draw_speed_pair((1, 2, 4)) for _ in range(3000))
    assert set(pairs) == {(a, b) for a in (1, 2, 4) for b in (1, 2, 4)
                          if a != b}
    for count in pairs.values():
        assert abs(count / 3000 - 1 / 6) < 0.03


def test_view_frame_indices_follow_start_plus_speed_times_i():
    inds = view_frame_indices(100, 16, (10, 50), s_q=2, s_neg=1)
    steps = np.arange(16)
    np.testing.assert_array_equal(inds[0], 10 + 2 * steps)  # q: A at s_q
    np.testing.assert_array_equal(inds[1], 50 + 2 * steps)  # k+: B at s_q
    np.testing.assert_array_equal(inds[2], 50 + steps)  # k-: B at s_neg
    assert inds.shape == (3, 16) and inds.dtype == np.int64


def test_view_frame_indices_loop_short_videos():
    inds = view_frame_indices(20, 16, (0, 0), s_q=1, s_neg=2)
    np.testing.assert_array_equal(inds[0], np.arange(16))
    np.testing.assert_array_equal(inds[2], (2 * np.arange(16)) % 20)
    assert inds[2].tolist()[10:] == [0, 2, 4, 6, 8, 10]
