"""Probes of frozen features: linear classifier, kNN, and their intervals.

All functions take features already extracted (one row per video) and
return per-video correctness, so that two models evaluated on the same
videos can be compared with a paired bootstrap.
"""
import math
from typing import Dict, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from .retrieval import cosine_topk


def linear_probe(train_x: torch.Tensor, train_y: torch.Tensor,
                 test_x: torch.Tensor, test_y: torch.Tensor,
                 weight_decay: float = 1e-3, steps: int = 300,
                 seed: int = 0) -> torch.Tensor:
    """Multinomial logistic regression on standardised frozen features.

    Features are standardised with the train mean and std, then a linear
    layer is fitted full-batch with L-BFGS on cross-entropy + L2 penalty.

    Args:
        train_x (Tensor): (N, D) train features.
        train_y (Tensor): (N,) int labels.
        test_x (Tensor): (M, D) test features.
        test_y (Tensor): (M,) int labels.
        weight_decay (float): L2 penalty on the weights. Defaults to 1e-3.
        steps (int): L-BFGS iterations. Defaults to 300.
        seed (int): Seed of the initial weights. Defaults to 0.

    Returns:
        Tensor: (M,) bool, whether each test video is classified right.
    """
    train_x, test_x = train_x.double(), test_x.double()
    mean = train_x.mean(0)
    std = train_x.std(0).clamp_min(1e-6)
    train_x, test_x = (train_x - mean) / std, (test_x - mean) / std
    num_classes = int(max(train_y.max(), test_y.max())) + 1
    generator = torch.Generator().manual_seed(seed)
    weight = (torch.randn(train_x.shape[1], num_classes, generator=generator,
                          dtype=torch.float64) * 0.01).requires_grad_()
    bias = torch.zeros(num_classes, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([weight, bias], lr=1.0, max_iter=steps,
                                  line_search_fn='strong_wolfe')

    def closure():
        optimizer.zero_grad()
        loss = F.cross_entropy(train_x @ weight + bias, train_y)
        loss = loss + weight_decay * weight.pow(2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    with torch.no_grad():
        return (test_x @ weight + bias).argmax(1) == test_y


def knn_predict(train_x: torch.Tensor, train_y: torch.Tensor,
                test_x: torch.Tensor, k: int = 10,
                temperature: float = 0.07,
                exclude_self: bool = False) -> torch.Tensor:
    """Weighted kNN classifier on cosine similarity (InstDisc style).

    Each of the k nearest train videos votes for its class with weight
    exp(s / temperature).

    Args:
        train_x (Tensor): (N, D) train features.
        train_y (Tensor): (N,) int labels.
        test_x (Tensor): (M, D) test features.
        k (int): Neighbours. Defaults to 10.
        temperature (float): Vote temperature. Defaults to 0.07.
        exclude_self (bool): Test video i is train video i and must not
            vote for itself (leave-one-out on one labelled set). Defaults
            to False.

    Returns:
        Tensor: (M,) predicted labels.
    """
    neighbours, top_sim = cosine_topk(test_x, train_x, k, exclude_self,
                                      return_similarity=True)
    num_classes = int(train_y.max()) + 1
    votes = torch.zeros(test_x.shape[0], num_classes, dtype=torch.float64)
    votes.scatter_add_(1, train_y[neighbours], (top_sim / temperature).exp())
    return votes.argmax(1)


def wilson_interval(successes: int, total: int,
                    z: float = 1.959964) -> Tuple[float, float]:
    """95% Wilson score interval of a proportion, in percent.

    Args:
        successes (int): Number of successes.
        total (int): Number of trials (> 0).
        z (float): Normal quantile. Defaults to 1.96 (95%).

    Returns:
        tuple[float, float]: (low, high) in percent, with low <= 100 p <=
        high inside [0, 100] exactly (rounding alone would put the bound of
        a 100% score at 99.99999999999999).
    """
    if total <= 0:
        raise ValueError(f'total must be positive, got {total}')
    p = successes / total
    denom = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denom
    half = z * math.sqrt(p * (1 - p) / total + z * z /
                         (4 * total * total)) / denom
    low = min(max(centre - half, 0.0), p)
    high = max(min(centre + half, 1.0), p)
    return 100 * low, 100 * high


def paired_bootstrap_diff(correct_a: torch.Tensor, correct_b: torch.Tensor,
                          rounds: int = 2000,
                          seed: int = 0) -> Tuple[float, float]:
    """95% bootstrap interval of accuracy(b) - accuracy(a), in points.

    Both vectors score the same videos; videos are resampled together.

    Args:
        correct_a (Tensor): (M,) bool or 0/1 per video for model a.
        correct_b (Tensor): (M,) same for model b.
        rounds (int): Bootstrap resamples. Defaults to 2000.
        seed (int): Seed. Defaults to 0.

    Returns:
        tuple[float, float]: (low, high) of the difference in percent.
    """
    a = np.asarray(correct_a, dtype=np.float64)
    b = np.asarray(correct_b, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f'need two equal 1-D vectors, got {a.shape} and '
                         f'{b.shape}')
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(a), size=(rounds, len(a)))
    diffs = (b[idx].mean(1) - a[idx].mean(1)) * 100
    low, high = np.percentile(diffs, [2.5, 97.5])
    return float(low), float(high)


def compare(correct_random: torch.Tensor,
            correct_rspnet: torch.Tensor) -> Dict[str, object]:
    """Summary of one evaluation for two initialisations of a backbone.

    Args:
        correct_random (Tensor): (M,) per-video success, random init.
        correct_rspnet (Tensor): (M,) per-video success, RSPNet init.

    Returns:
        dict: ``random`` and ``rspnet`` in percent, their Wilson intervals
        (``random_ci``, ``rspnet_ci``), the paired bootstrap interval of the
        difference (``diff_ci``) and ``rspnet_better`` (the difference
        interval lies above 0).
    """
    m = len(correct_random)
    hits_r = int(np.asarray(correct_random, dtype=np.int64).sum())
    hits_s = int(np.asarray(correct_rspnet, dtype=np.int64).sum())
    diff = paired_bootstrap_diff(correct_random, correct_rspnet)
    return dict(random=100 * hits_r / m, rspnet=100 * hits_s / m,
                random_ci=wilson_interval(hits_r, m),
                rspnet_ci=wilson_interval(hits_s, m),
                diff_ci=diff, rspnet_better=diff[0] > 0)
