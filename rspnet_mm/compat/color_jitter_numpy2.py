"""``HueSafeColorJitter``: MMAction2's ``ColorJitter`` working under numpy 2.

Upstream: mmaction2 1.2.0, ``ColorJitter.adjust_hue`` adds a negative Python
int to a uint8 array; numpy >= 2 raises ``OverflowError: Python integer -5 out
of bounds for uint8`` for about half of the calls with the default hue 0.1.

Fix: a registered subclass, ``HueSafeColorJitter``, whose hue shift does the
same arithmetic in int16 and wraps it into OpenCV's [0, 180) hue range before
converting back to uint8. MMAction2's ``ColorJitter`` itself is left alone
(no project config uses it; the stock-pipeline benchmark,
``tools/benchmark/data_pipeline.py``, selects ``HueSafeColorJitter``); a
config that wants MMAction2's jitter under numpy 2 names this type instead.

Remove when: ``mmaction/datasets/transforms/processing.py`` casts the hue
channel before the addition (or ``ColorJitter(hue=0.5)`` runs 100 times under
numpy 2 without error); then point its users back at ``ColorJitter``.
"""
import cv2
import numpy as np
from mmaction.datasets.transforms import ColorJitter
from mmaction.registry import TRANSFORMS


def _adjust_hue(img: np.ndarray, factor: float) -> np.ndarray:
    """Rotate the hue of an RGB image by ``factor`` of a full turn.

    Args:
        img (np.ndarray): (H, W, 3) RGB image, any numeric dtype.
        factor (float): Shift in [-0.5, 0.5].

    Returns:
        np.ndarray: (H, W, 3) float32 image.
    """
    img = np.clip(img, 0, 255).astype(np.uint8)
    hsv = cv2.cvtColor(img, cv2.COLOR_RGB2HSV)
    hue = hsv[..., 0].astype(np.int16) + int(factor * 255)
    hsv[..., 0] = np.mod(hue, 180).astype(np.uint8)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB).astype(np.float32)


@TRANSFORMS.register_module()
class HueSafeColorJitter(ColorJitter):
    """MMAction2's ``ColorJitter`` (same arguments) with a hue shift that
    does not overflow uint8 under numpy 2."""
    adjust_hue = staticmethod(_adjust_hue)
