"""Gather the three speed views into the array the model takes."""
from typing import Dict

import numpy as np
import torch
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from .frame_ops import to_channels_first
from .speed_plan import VIEW_WINDOWS


@TRANSFORMS.register_module()
class FormatSpeedViews(BaseTransform):
    """Stack q, k+ and k- as one (3, C, T, H, W) array.

    Put ``PackActionInputs(algorithm_keys=('speeds',))`` after it: ``imgs``
    becomes the sample's ``inputs`` tensor and ``speeds`` a data-sample
    field. ``ActionDataPreprocessor(format_shape='NCTHW')`` then batches and
    normalises to (N, 3, C, T, H, W).

    Required keys: ``windows`` and ``window_view_rows`` (from
    :class:`PerWindowAugment`), ``speeds``.

    Added keys: ``imgs`` (np.ndarray): (3, 3, T, H, W) uint8, views q, k+, k-
    on the first axis, RGB on the second. Updated: ``speeds`` becomes a (3,)
    ``torch.LongTensor`` ``[s_q, s_q, s_neg]``; ``input_shape``. Removed:
    ``windows``, ``window_view_rows``.
    """

    def transform(self, results: Dict) -> Dict:
        """Gather the views.

        Args:
            results (dict): Needs ``windows``, ``window_view_rows`` and
                ``speeds``.

        Returns:
            dict: ``results`` with the keys listed in the class docstring.
        """
        for key in ('windows', 'window_view_rows', 'speeds'):
            if key not in results:
                raise KeyError(
                    f'FormatSpeedViews needs results[{key!r}]; put '
                    'RelativeSpeedSampler and PerWindowAugment before it')
        # (n_w, H, W, 3) -> (3, n_w, H, W) once per window
        planes = [to_channels_first(w) for w in results.pop('windows')]
        rows = np.asarray(results.pop('window_view_rows'))
        imgs = np.stack([planes[window][:, rows[view]]
                         for view, window in enumerate(VIEW_WINDOWS)])
        results['imgs'] = imgs
        results['input_shape'] = imgs.shape
        results['speeds'] = torch.as_tensor(
            np.asarray(results['speeds']), dtype=torch.long)
        return results
