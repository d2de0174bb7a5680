from .probes import (
                     compare,
                     knn_predict,
                     linear_probe,
                     paired_bootstrap_diff,
                     wilson_interval,
)
from .retrieval import cosine_topk, retrieval_recall

__all__ = [
    'cosine_topk', 'retrieval_recall', 'linear_probe', 'knn_predict',
    'wilson_interval', 'paired_bootstrap_diff', 'compare'
]
