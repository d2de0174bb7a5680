import cv2
import numpy as np
import pytest
from mmaction.datasets.transforms import ColorJitter
from mmaction.registry import TRANSFORMS

from rspnet_mm.compat.color_jitter_numpy2 import HueSafeColorJitter


def test_registered_and_mmaction_color_jitter_left_alone():
    assert TRANSFORMS.get('HueSafeColorJitter') is HueSafeColorJitter
    assert issubclass(HueSafeColorJitter, ColorJitter)
    assert ColorJitter.adjust_hue is not HueSafeColorJitter.adjust_hue


def test_hue_shift_handles_negative_offsets_like_opencv_hsv():
    rgb = np.zeros((4, 4, 3), np.uint8)
    rgb[..., 0] = 200  # pure-ish red: OpenCV hue 0
    shifted = HueSafeColorJitter.adjust_hue(rgb, -0.1)  # overflowed before
    hue = cv2.cvtColor(shifted.astype(np.uint8), cv2.COLOR_RGB2HSV)[..., 0]
    # offset int(-0.1 * 255) = -25 -> (0 - 25) mod 180 = 155
    assert shifted.dtype == np.float32
    assert np.all(np.abs(hue.astype(int) - 155) <= 1)


def test_stock_color_jitter_still_overflows_under_numpy_2():
    """The reason for the fix (when this fails, upstream fixed it: remove
    HueSafeColorJitter)."""
    np.random.seed(0)
    jitter = ColorJitter(hue=0.5)
    img = np.random.randint(0, 255, (8, 8, 3), np.uint8)
    with pytest.raises(OverflowError, match='out of bounds for uint8'):
        for _ in range(50):
            jitter.transform(dict(imgs=[img.copy()]))


def test_color_jitter_runs_for_many_draws():
    np.random.seed(0)
    jitter = TRANSFORMS.build(dict(type='HueSafeColorJitter', hue=0.5))
    imgs = [np.random.randint(0, 255, (8, 8, 3), np.uint8) for _ in range(2)]
    for _ in range(50):
        out = jitter.transform(dict(imgs=[im.copy() for im in imgs]))
        assert out['imgs'][0].shape == (8, 8, 3)
        assert out['imgs'][0].dtype == np.uint8
