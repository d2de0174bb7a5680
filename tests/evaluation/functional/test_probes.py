import math

import pytest
import torch

from rspnet_mm.evaluation.functional import (
    compare,
    knn_predict,
    linear_probe,
    paired_bootstrap_diff,
    wilson_interval,
)


def test_linear_probe_separates_linearly_separable_classes():
    g = torch.Generator().manual_seed(0)
    centres = torch.tensor([[3., 0.], [0., 3.], [-3., -3.]])
    y = torch.arange(3).repeat(40)
    x = centres[y] + 0.5 * torch.randn(120, 2, generator=g)
    correct = linear_probe(x[:90], y[:90], x[90:], y[90:])
    assert correct.dtype == torch.bool and correct.shape == (30, )
    assert correct.float().mean() == 1.0
    # labels unrelated to the features: no better than chance on new data
    noise_y = torch.randint(0, 3, (120, ), generator=g)
    chance = linear_probe(x[:90], noise_y[:90], x[90:], noise_y[90:])
    assert chance.float().mean() < 0.6


def test_knn_votes_weighted_by_similarity():
    train = torch.tensor([[1., 0.], [0.9, 0.1], [0., 1.]])
    labels = torch.tensor([0, 0, 1])
    # the nearest is class 1, but two class-0 neighbours outvote it at k=3
    test = torch.tensor([[0.5, 0.6]])
    assert knn_predict(train, labels, test, k=1).tolist() == [1]
    assert knn_predict(train, labels, test, k=3, temperature=1.0).tolist() \
        == [0]


def test_wilson_interval_matches_the_formula():
    low, high = wilson_interval(8, 10)
    # textbook value for 8/10: (0.490, 0.943)
    assert low == pytest.approx(49.0, abs=0.1)
    assert high == pytest.approx(94.3, abs=0.1)
    assert wilson_interval(0, 5)[0] == pytest.approx(0.0, abs=1e-9)
    # all right / all wrong: the bound is the score itself, exactly (a
    # rounded 99.99999999999999 made the demo's error bars negative)
    assert wilson_interval(200, 200)[1] == 100.0
    assert wilson_interval(0, 200)[0] == 0.0
    for hits in range(0, 201):
        low, high = wilson_interval(hits, 200)
        assert 0.0 <= low <= 100 * hits / 200 <= high <= 100.0
    with pytest.raises(ValueError):
        wilson_interval(0, 0)


def test_paired_bootstrap_and_compare():
    a = torch.tensor([0, 1] * 50, dtype=torch.bool)  # 50%
    b = torch.ones(100, dtype=torch.bool)  # 100%
    low, high = paired_bootstrap_diff(a, b)
    assert 35 < low < 50 < high < 65
    summary = compare(a, b)
    assert summary['random'] == 50 and summary['rspnet'] == 100
    assert summary['rspnet_better'] is True
    same = compare(a, a)
    assert same['diff_ci'] == (0.0, 0.0) and same['rspnet_better'] is False
    assert math.isclose(same['random_ci'][0], wilson_interval(50, 100)[0])


def test_knn_leave_one_out_ignores_each_video_itself():
    x = torch.tensor([[1., 0.], [0.9, 0.1], [0., 1.], [0.1, 0.9]])
    y = torch.tensor([0, 1, 1, 0])
    # with itself as neighbour every video would be right at k=1
    assert knn_predict(x, y, x, k=1).tolist() == [0, 1, 1, 0]
    # without: each takes the label of its nearest other video
    assert knn_predict(x, y, x, k=1, exclude_self=True).tolist() == \
        [1, 0, 0, 1]
