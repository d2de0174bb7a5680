"""Video-to-video retrieval recall (the RSPNet / VCOP protocol).

A query scores a hit at k when any of its k nearest gallery videos (cosine
similarity) shares its class. Ties in similarity keep the gallery order
(stable sort), so results do not depend on the sorting backend.
"""
from typing import Dict, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F


def cosine_topk(query: torch.Tensor, gallery: torch.Tensor, k: int,
                exclude_self: bool = False,
                return_similarity: bool = False
                ) -> Union[torch.Tensor, Tuple[torch.Tensor, torch.Tensor]]:
    """Indices of the k most similar gallery rows for every query row.

    Args:
        query (Tensor): (Q, D) features.
        gallery (Tensor): (G, D) features.
        k (int): Neighbours to return; clamped to the gallery size (minus
            one with ``exclude_self``).
        exclude_self (bool): Query i is gallery row i and must not be its
            own neighbour (leave-one-out). Defaults to False.
        return_similarity (bool): Also return the similarities of the
            neighbours. Defaults to False.

    Returns:
        Tensor | tuple[Tensor, Tensor]: (Q, k') int64 gallery indices,
        most similar first, and with ``return_similarity`` their (Q, k')
        float64 cosine similarities.
    """
    query = F.normalize(query.double(), dim=1)
    gallery = F.normalize(gallery.double(), dim=1)
    sim = query @ gallery.T  # (Q, G)
    available = gallery.shape[0]
    if exclude_self:
        if query.shape[0] != gallery.shape[0]:
            raise ValueError('exclude_self needs query and gallery to be the '
                             f'same set, got {query.shape[0]} queries and '
                             f'{gallery.shape[0]} gallery videos')
        sim.fill_diagonal_(float('-inf'))
        available -= 1
    k = min(k, available)
    top_sim, order = torch.sort(sim, dim=1, descending=True, stable=True)
    if return_similarity:
        return order[:, :k], top_sim[:, :k]
    return order[:, :k]


def retrieval_recall(query: torch.Tensor,
                     query_labels: torch.Tensor,
                     gallery: Optional[torch.Tensor] = None,
                     gallery_labels: Optional[torch.Tensor] = None,
                     topk: Sequence[int] = (1, 5, 10, 20, 50)
                     ) -> Dict[str, float]:
    """Recall@k of video retrieval, in percent.

    Args:
        query (Tensor): (Q, D) query features.
        query_labels (Tensor): (Q,) class indices.
        gallery (Tensor, optional): (G, D) gallery features. None means
            leave-one-out retrieval inside the query set.
        gallery_labels (Tensor, optional): (G,) class indices.
        topk (Sequence[int]): The k values. A k larger than the gallery
            counts the whole gallery.

    Returns:
        dict: ``{'R@k': percent}`` for every k.
    """
    if (gallery is None) != (gallery_labels is None):
        raise ValueError('give both gallery and gallery_labels, or neither')
    if query.shape[0] != query_labels.shape[0]:
        raise ValueError(f'{query.shape[0]} query features but '
                         f'{query_labels.shape[0]} labels')
    exclude_self = gallery is None
    if exclude_self:
        gallery, gallery_labels = query, query_labels
    if gallery.shape[0] != gallery_labels.shape[0]:
        raise ValueError(f'{gallery.shape[0]} gallery features but '
                         f'{gallery_labels.shape[0]} labels')
    if any(k < 1 for k in topk):
        raise ValueError(f'every k must be >= 1, got {tuple(topk)}')
    neighbours = cosine_topk(query, gallery, max(topk), exclude_self)
    hits = gallery_labels[neighbours] == query_labels[:, None]  # (Q, k')
    results = {}
    for k in topk:
        hit_at_k = hits[:, :k].any(dim=1).double()
        results[f'R@{k}'] = float(hit_at_k.mean() * 100)
    return results
