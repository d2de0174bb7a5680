"""Registered metric: kNN top-1 and retrieval R@1/R@5 of one labelled set."""
from typing import Dict, List, Optional

from mmaction.registry import METRICS

from ..functional import knn_predict, retrieval_recall
from .video_retrieval_metric import VideoRetrievalMetric


@METRICS.register_module()
class RepresentationMonitorMetric(VideoRetrievalMetric):
    """How good frozen features are, from one small labelled video set.

    The metric of the representation monitor during pretraining
    (``RepresentationMonitorLoop``). Each data sample carries the pooled
    query-backbone feature ``video_feature`` (D,) (``RSPNet.predict``
    writes it) and its ``gt_label``. Every video is scored against all the
    others of the set (leave-one-out), with cosine similarity:

    - ``knn_top1``: fraction of videos whose weighted kNN vote (the k
      nearest other videos, weights exp(s / T)) gives their class;
    - ``retrieval_r1``, ``retrieval_r5``: fraction of videos with a video
      of their class among their 1 / 5 nearest others.

    All three are fractions in [0, 1] and contain no ``loss`` (mmengine
    would add them to the training loss otherwise).

    Args:
        k (int): kNN neighbours. Defaults to 10.
        temperature (float): kNN vote temperature T. Defaults to 0.07.
        collect_device (str): 'cpu' or 'gpu'. Defaults to 'cpu'.
        prefix (str, optional): Name prefix. Defaults to None (the bare
            names above, which ``save_best='knn_top1'`` refers to).
    """
    #: '' (not None): the bare names, without mmengine's "prefix is not
    #: set" warning at every run.
    default_prefix = ''

    def __init__(self,
                 k: int = 10,
                 temperature: float = 0.07,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(topk=(1, 5), collect_device=collect_device,
                         prefix=prefix)
        if not isinstance(k, int) or k < 1:
            raise ValueError(f'RepresentationMonitorMetric: k must be a '
                             f'positive int, got {k!r}')
        self.k = k
        self.temperature = temperature

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        features, labels = self.stack(results)
        if len(labels) < 2:
            raise ValueError(
                f'RepresentationMonitorMetric: the monitor set has '
                f'{len(labels)} video; leave-one-out scoring needs at least '
                'two (check val_dataloader.dataset.ann_file)')
        predicted = knn_predict(features, labels, features, self.k,
                                self.temperature, exclude_self=True)
        recall = retrieval_recall(features, labels, topk=self.topk)
        return dict(
            knn_top1=float((predicted == labels).double().mean()),
            retrieval_r1=recall['R@1'] / 100,
            retrieval_r5=recall['R@5'] / 100)
