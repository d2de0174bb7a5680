import cv2
import numpy as np
import pytest
from mmaction.registry import TRANSFORMS

from rspnet_mm.datasets.transforms import (
    FormatSpeedViews,
    PerWindowAugment,
    RelativeSpeedSampler,
)

#: Augmentation that only resizes the full frame (64 x 48 has aspect 4/3).
IDENTITY = dict(area_range=(1.0, 1.0), aspect_ratio_range=(4 / 3, 4 / 3),
                gray_prob=0.0, color_jitter=None, flip_prob=0.0)


def sampled(path, seed, **kwargs):
    np.random.seed(seed)
    return RelativeSpeedSampler(**kwargs)(dict(filename=str(path)))


def views(results, **aug):
    results = PerWindowAugment(**aug)(results)
    return FormatSpeedViews()(results)['imgs']


def test_builds_from_registry_with_reference_defaults():
    aug = TRANSFORMS.build(dict(type='PerWindowAugment'))
    assert aug.size == 112
    assert aug.area_range == (0.4, 1.0)
    assert aug.aspect_ratio_range == (3 / 4, 4 / 3)
    assert aug.gray_prob == 0.2 and aug.flip_prob == 0.5
    assert aug.jitter_ranges == dict(brightness=(0.6, 1.4),
                                     contrast=(0.6, 1.4),
                                     saturation=(0.6, 1.4),
                                     hue=(-0.4, 0.4))


def test_outputs_and_only_used_frames_processed(video_dir):
    results = sampled(video_dir / 'v80.mp4', 0)
    out = PerWindowAugment(size=40)(results)
    assert 'imgs' not in out
    a, b = out['windows']
    assert a.shape == (16, 40, 40, 3) and a.dtype == np.uint8
    assert b.shape == (24, 40, 40, 3)  # k+ and k- union at speeds 1, 2
    assert out['window_view_rows'].shape == (3, 16)
    assert out['img_shape'] == (40, 40)
    assert len(out['aug_params']) == 2


def test_parameters_are_drawn_per_window(video_dir):
    params = PerWindowAugment()(sampled(video_dir / 'v80.mp4',
                                          1))['aug_params']
    assert params[0]['crop'] != params[1]['crop']
    for p in params:
        assert set(p) == {'crop', 'gray', 'jitter', 'flip'}
        top, left, h, w = p['crop']
        assert 0.4 * 0.9 <= h * w / (48 * 64) <= 1.0
        assert sorted(name for name, _ in p['jitter']) == [
            'brightness', 'contrast', 'hue', 'saturation']
        for name, factor in p['jitter']:
            low, high = (-0.4, 0.4) if name == 'hue' else (0.6, 1.4)
            assert low <= factor <= high


def test_jitter_order_gray_and_flip_are_random():
    aug = PerWindowAugment()
    np.random.seed(2)
    draws = [aug.draw_params(48, 64) for _ in range(300)]
    orders = {tuple(name for name, _ in d['jitter']) for d in draws}
    assert len(orders) >= 20  # of the 24 orders
    assert 0.12 < np.mean([d['gray'] for d in draws]) < 0.28
    assert 0.4 < np.mean([d['flip'] for d in draws]) < 0.6


def test_k_pos_and_k_neg_share_window_b_augmentation(video_dir):
    for seed in range(6):
        results = sampled(video_dir / 'v80.mp4', seed)
        s_q, _, s_neg = results['speeds']
        imgs = views(results, size=32)
        # Both start at frame 0 of window B.
        np.testing.assert_array_equal(imgs[1][:, 0], imgs[2][:, 0])
        # Every frame the two share is the same pixels.
        slow, fast = (1, 2) if s_q == 1 else (2, 1)
        np.testing.assert_array_equal(imgs[slow][:, 0:16:2],
                                      imgs[fast][:, :8])


def test_q_is_augmented_apart_from_k(video_dir):
    # A 20-frame video puts both windows at frame 0: q and k+ show the
    # same decoded frames, so any difference comes from the augmentation.
    results = sampled(video_dir / 'v20.mp4', 3)
    assert results['window_starts'].tolist() == [0, 0]
    imgs = views(dict(results), size=32)
    assert np.abs(imgs[0].astype(int) - imgs[1]).mean() > 5
    same = views(sampled(video_dir / 'v20.mp4', 3), size=32, **IDENTITY)
    np.testing.assert_array_equal(same[0], same[1])


def test_identity_augmentation_keeps_frames_and_order(video_dir,
                                                      shown_indices):
    results = sampled(video_dir / 'v80.mp4', 4)
    decoded, rows = results['imgs'], results['view_rows']
    inds = results['frame_inds']
    imgs = views(results, size=32, **IDENTITY)
    for view in range(3):
        frames = imgs[view].transpose(1, 2, 3, 0)  # (T, H, W, C)
        assert shown_indices(frames) == inds[view].tolist()
        expected = cv2.resize(decoded[rows[view][5]], (32, 32),
                              interpolation=cv2.INTER_LINEAR)
        np.testing.assert_array_equal(frames[5], expected)


def test_gray_and_flip(video_dir):
    gray = views(sampled(video_dir / 'v80.mp4', 5), size=32, gray_prob=1.0)
    assert (gray[:, 0] == gray[:, 1]).all() and (gray[:, 1]
                                                  == gray[:, 2]).all()
    plain = views(sampled(video_dir / 'v80.mp4', 6), size=32, flip_prob=0.0)
    flipped = views(sampled(video_dir / 'v80.mp4', 6), size=32,
                    flip_prob=1.0)
    np.testing.assert_array_equal(flipped, plain[..., ::-1])


def test_jitter_ranges_and_off():
    aug = PerWindowAugment(color_jitter=dict(brightness=(0.9, 1.1),
                                               hue=0.1))
    assert aug.jitter_ranges == dict(brightness=(0.9, 1.1), hue=(-0.1, 0.1))
    assert PerWindowAugment(color_jitter=None).draw_params(
        48, 64)['jitter'] == []


@pytest.mark.parametrize(
    'kwargs, message',
    [(dict(size=0), 'size=0: must be a positive int'),
     (dict(size=-8), 'size=-8: must be a positive int'),
     (dict(size=11.5), 'size=11.5: must be a positive int'),
     (dict(area_range=(0.8, 0.4)), r'area_range=\(0.8, 0.4\): need'),
     (dict(area_range=(0.0, 0.0)), 'max must be > 0'),
     (dict(aspect_ratio_range=(0, 1)), 'aspect_ratio_range=.*need'),
     (dict(gray_prob=1.5), r'gray_prob=1.5: must be in \[0, 1\]'),
     (dict(flip_prob=-0.1), r'flip_prob=-0.1: must be in \[0, 1\]'),
     (dict(color_jitter=dict(gamma=0.1)), "unknown keys \\['gamma'\\]"),
     (dict(color_jitter=dict(hue=0.7)), 'color_jitter hue=.*need -0.5'),
     (dict(color_jitter=dict(contrast=-1)), 'contrast=-1: must be >= 0'),
     (dict(interpolation='cubic'), "interpolation='cubic': use one of"),
     ])
def test_bad_config_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PerWindowAugment(**kwargs)


def test_bad_input_error():
    with pytest.raises(ValueError, match='put RelativeSpeedSampler before'):
        PerWindowAugment()(dict(imgs=np.zeros((4, 8, 8)),
                                  view_rows=np.zeros((3, 2), int)))


def test_old_name_is_a_deprecated_alias_that_warns_once():
    from rspnet_mm.datasets.transforms import SpeedWindowAugment
    SpeedWindowAugment._warned = False
    with pytest.warns(DeprecationWarning, match='renamed PerWindowAugment'):
        old = TRANSFORMS.build(dict(type='SpeedWindowAugment', size=40))
    assert isinstance(old, PerWindowAugment) and old.size == 40
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        SpeedWindowAugment(size=40)  # second build: no warning
