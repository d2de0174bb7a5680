import colorsys

import cv2
import numpy as np
import pytest

from rspnet_mm.datasets.transforms import frame_ops


def random_stack(n=3, h=20, w=24, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (n, h, w, 3),
                                                dtype=np.uint8)


def test_random_resized_crop_box_within_ranges():
    np.random.seed(0)
    for _ in range(200):
        top, left, h, w = frame_ops.random_resized_crop_box(
            48, 64, (0.4, 1.0), (3 / 4, 4 / 3))
        assert 0 <= top and top + h <= 48 and 0 <= left and left + w <= 64
        assert 0.4 * 48 * 64 * 0.9 <= h * w <= 48 * 64
        assert 3 / 4 * 0.9 <= w / h <= 4 / 3 * 1.1


def test_random_resized_crop_box_falls_back_to_central_crop():
    np.random.seed(0)
    # A box of aspect 3 and area >= 0.9 never fits a 48 x 64 frame: the
    # fallback is the full width, height round(64 / 3) = 21, centred.
    assert frame_ops.random_resized_crop_box(
        48, 64, (0.9, 1.0), (3.0, 3.0)) == ((48 - 21) // 2, 0, 21, 64)
    assert frame_ops.random_resized_crop_box(
        48, 64, (1.0, 1.0), (4 / 3, 4 / 3)) == (0, 0, 48, 64)


def test_crop_resize_matches_per_frame_cv2():
    frames = random_stack(n=5, h=30, w=40)
    rows = np.array([4, 1, 1])
    out = frame_ops.crop_resize(frames, rows, (3, 5, 20, 24), (12, 10))
    assert out.shape == (3, 12, 10, 3) and out.dtype == np.uint8
    for i, row in enumerate(rows):
        expected = cv2.resize(frames[row, 3:23, 5:29], (10, 12),
                              interpolation=cv2.INTER_LINEAR)
        np.testing.assert_array_equal(out[i], expected)
    area = frame_ops.crop_resize(frames, rows, (0, 0, 30, 40), (15, 20),
                                 'area')
    np.testing.assert_array_equal(
        area[0], cv2.resize(frames[4], (20, 15),
                            interpolation=cv2.INTER_AREA))


def luma(frames):
    return frames.astype(np.float64) @ np.array(frame_ops.GRAY_WEIGHTS)


def test_to_grayscale():
    frames = random_stack()
    gray = frame_ops.to_grayscale(frames)
    assert gray.shape == frames.shape
    assert (gray[..., 0] == gray[..., 1]).all()
    assert (gray[..., 1] == gray[..., 2]).all()
    assert np.abs(gray[..., 0] - luma(frames)).max() <= 1


@pytest.mark.parametrize('factor', [0.6, 1.0, 1.4])
def test_adjust_brightness_formula(factor):
    frames = random_stack()
    expected = np.clip(np.rint(frames * factor), 0, 255)
    np.testing.assert_array_equal(
        frame_ops.adjust_brightness(frames, factor), expected)


@pytest.mark.parametrize('factor', [0.6, 1.4])
def test_adjust_contrast_uses_the_mean_luma_of_the_whole_stack(factor):
    frames = random_stack()
    frames[0] //= 4  # frames differ in brightness: the mean is global
    mean = luma(frames).mean()
    expected = np.clip(factor * frames + (1 - factor) * mean, 0, 255)
    got = frame_ops.adjust_contrast(frames, factor)
    assert np.abs(got - expected).max() <= 1
    assert abs(frame_ops.gray_mean(frames) - mean) < 1e-6 * 255


@pytest.mark.parametrize('factor', [0.0, 0.6, 1.4])
def test_adjust_saturation_formula(factor):
    frames = random_stack()
    gray = luma(frames)[..., None]
    expected = np.clip(factor * frames + (1 - factor) * gray, 0, 255)
    got = frame_ops.adjust_saturation(frames, factor)
    assert np.abs(got - expected).max() <= 1.5


def test_adjust_hue_rotates_primaries():
    red = np.zeros((2, 4, 4, 3), np.uint8)
    red[..., 0] = 255
    # 256 hue steps per turn: a third of a turn is 85 steps (119.5 deg).
    green = frame_ops.adjust_hue(red, 1 / 3)
    blue = frame_ops.adjust_hue(red, -1 / 3)
    assert (green[..., 1] == 255).all() and green[..., [0, 2]].max() <= 8
    assert (blue[..., 2] == 255).all() and blue[..., [0, 1]].max() <= 8
    cyan = frame_ops.adjust_hue(red, 0.5)
    assert (cyan[..., 0] == 0).all() and (cyan[..., 1:] >= 250).all()
    np.testing.assert_array_equal(frame_ops.adjust_hue(red, 0.0), red)


def test_adjust_hue_keeps_gray_and_luma_range():
    gray = frame_ops.to_grayscale(random_stack())
    assert np.abs(frame_ops.adjust_hue(gray, 0.3).astype(int)
                  - gray).max() <= 1


def test_hflip_mirrors_every_frame():
    frames = random_stack()
    np.testing.assert_array_equal(frame_ops.hflip(frames),
                                  frames[:, :, ::-1])


def test_to_channels_first():
    frames = random_stack()
    planes = frame_ops.to_channels_first(frames)
    np.testing.assert_array_equal(planes, frames.transpose(3, 0, 1, 2))
    assert planes.flags['C_CONTIGUOUS']


def test_adjust_hue_matches_float_hsv_rotation():
    frames = random_stack(n=2, h=6, w=7)
    factor = 0.25
    expected = np.empty(frames.shape)
    for index in np.ndindex(frames.shape[:3]):
        h, s, v = colorsys.rgb_to_hsv(*(frames[index] / 255.0))
        expected[index] = np.array(
            colorsys.hsv_to_rgb((h + factor) % 1.0, s, v)) * 255
    got = frame_ops.adjust_hue(frames, factor)
    assert np.abs(got - expected).mean() < 1.5
    assert np.abs(got - expected).max() <= 8  # 8-bit HSV steps
