"""Video retrieval recall from two feature folders (no model run)."""
from typing import Dict, Sequence

import torch

from rspnet_mm.evaluation.functional import retrieval_recall

from .shards import load_features


def recall_from_features(gallery_dir: str, query_dir: str,
                         topk: Sequence[int] = (1, 5, 10, 20, 50)
                         ) -> Dict[str, float]:
    """R@k of the query videos against the gallery videos.

    The protocol of ``configs/retrieval/``: video features (clip means),
    cosine similarity, a hit when one of the k nearest gallery videos has
    the query's label.

    Args:
        gallery_dir (str): Folder of ``tools/extract_features.py`` (train
            split).
        query_dir (str): Folder of the query videos (test split).
        topk (Sequence[int]): The k values.

    Returns:
        dict: ``{'retrieval/R@k': percent}``, the names
        ``VideoRetrievalMetric`` logs.
    """
    gallery, query = load_features(gallery_dir), load_features(query_dir)
    if gallery['videos'].shape[1] != query['videos'].shape[1]:
        raise ValueError(
            f'gallery features in {gallery_dir} have dimension '
            f'{gallery["videos"].shape[1]}, queries in {query_dir} have '
            f'{query["videos"].shape[1]}: extract both with the same model')
    recall = retrieval_recall(torch.from_numpy(query['videos']),
                              torch.from_numpy(query['labels']),
                              torch.from_numpy(gallery['videos']),
                              torch.from_numpy(gallery['labels']), topk)
    return {f'retrieval/{k}': v for k, v in recall.items()}
