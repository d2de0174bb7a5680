import numpy as np
from mmaction.datasets.transforms import ColorJitter


def test_hue_shift_handles_negative_offsets_like_opencv_hsv():
    rgb = np.zeros((4, 4, 3), np.uint8)
    rgb[..., 0] = 200  # pure-ish red: OpenCV hue 0
    shifted = ColorJitter.adjust_hue(rgb, -0.1)  # raised OverflowError before
    import cv2
    hue = cv2.cvtColor(shifted.astype(np.uint8), cv2.COLOR_RGB2HSV)[..., 0]
    # offset int(-0.1 * 255) = -25 -> (0 - 25) mod 180 = 155
    assert shifted.dtype == np.float32
    assert np.all(np.abs(hue.astype(int) - 155) <= 1)


def test_color_jitter_runs_for_many_draws():
    np.random.seed(0)
    jitter = ColorJitter(hue=0.5)
    imgs = [np.random.randint(0, 255, (8, 8, 3), np.uint8) for _ in range(2)]
    for _ in range(50):
        out = jitter.transform(dict(imgs=[im.copy() for im in imgs]))
        assert out['imgs'][0].shape == (8, 8, 3)
