"""MMAction2's ``ColorJitter`` hue shift under numpy 2.

Upstream: mmaction2 1.2.0, ``ColorJitter.adjust_hue`` adds a negative Python
int to a uint8 array; numpy >= 2 raises ``OverflowError: Python integer -5 out
of bounds for uint8`` for about half of the calls with the default hue 0.1.

Fix: the same arithmetic done in int16 and wrapped into OpenCV's [0, 180) hue
range before converting back to uint8.

Remove when: ``mmaction/datasets/transforms/processing.py`` casts the hue
channel before the addition (or ``ColorJitter(hue=0.5)`` runs 100 times under
numpy 2 without error).
"""
import cv2
import numpy as np


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


def apply() -> bool:
    """Replace ``mmaction``'s ``ColorJitter.adjust_hue``.

    Returns:
        bool: True when the patch was installed.
    """
    from mmaction.datasets.transforms.processing import ColorJitter
    if ColorJitter.adjust_hue is _adjust_hue:
        return False
    ColorJitter.adjust_hue = staticmethod(_adjust_hue)
    return True
