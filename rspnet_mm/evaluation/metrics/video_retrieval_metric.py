"""Registered metric: video-to-video retrieval recall R@1/5/10/20/50."""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmaction.registry import METRICS
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from ..functional import retrieval_recall


@METRICS.register_module()
class VideoRetrievalMetric(BaseMetric):
    """Nearest-neighbour video retrieval over pooled backbone features.

    The evaluated split gives the queries. Each data sample must carry a
    ``video_feature`` (D,) tensor (``VideoFeatureHead`` writes it, averaged
    over the test clips) and its ``gt_label``. Protocol of RSPNet/VCOP: query
    = test split, gallery = train split, cosine similarity, a hit at k when
    any of the top k gallery videos shares the query's class.

    Args:
        topk (Sequence[int]): k values. Defaults to (1, 5, 10, 20, 50).
        gallery_features (str, optional): ``.npz`` with ``features`` (G, D)
            and ``labels`` (G,) of the gallery, as written by
            ``dump_features``. None: leave-one-out inside the evaluated
            split. Defaults to None.
        dump_features (str, optional): Write the evaluated split's features
            and labels to this ``.npz`` (to cache a gallery). Defaults to
            None.
        collect_device (str): 'cpu' or 'gpu'. Defaults to 'cpu'.
        prefix (str, optional): Metric name prefix. Defaults to
            'retrieval'.
    """
    default_prefix = 'retrieval'

    def __init__(self,
                 topk: Sequence[int] = (1, 5, 10, 20, 50),
                 gallery_features: Optional[str] = None,
                 dump_features: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.topk = tuple(topk)
        self.gallery_features = gallery_features
        self.dump_features = dump_features

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            if 'video_feature' not in sample:
                raise KeyError(
                    'VideoRetrievalMetric needs `video_feature` in each data '
                    'sample: use cls_head=dict(type="VideoFeatureHead") in '
                    'the model of the retrieval config')
            label = sample['gt_label']
            self.results.append(
                dict(feature=sample['video_feature'].detach().cpu().float(),
                     label=int(label.item() if torch.is_tensor(label)
                               else label)))

    @staticmethod
    def stack(results: List[dict]) -> Tuple[torch.Tensor, torch.Tensor]:
        """Features (V, D) and labels (V,) of the processed videos."""
        return (torch.stack([r['feature'] for r in results]),
                torch.tensor([r['label'] for r in results]))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        features, labels = self.stack(results)
        if self.dump_features:
            folder = osp.dirname(osp.abspath(self.dump_features))
            if not osp.isdir(folder):
                raise FileNotFoundError(f'folder {folder} does not exist')
            np.savez(self.dump_features, features=features.numpy(),
                     labels=labels.numpy())
            MMLogger.get_current_instance().info(
                f'wrote {len(labels)} video features to '
                f'{self.dump_features}')
        gallery = gallery_labels = None
        if self.gallery_features:
            with np.load(self.gallery_features) as cached:
                gallery = torch.from_numpy(cached['features'])
                gallery_labels = torch.from_numpy(cached['labels'])
            if gallery.shape[1] != features.shape[1]:
                raise ValueError(
                    f'gallery features in {self.gallery_features} have '
                    f'dimension {gallery.shape[1]}, queries have '
                    f'{features.shape[1]}: extract both with the same model')
        return retrieval_recall(features, labels, gallery, gallery_labels,
                                self.topk)
