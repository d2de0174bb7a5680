import math

import pytest
import torch

from rspnet_mm.evaluation.metrics import RepresentationMonitorMetric

# unit vectors at these angles (degrees), and their classes
ANGLES = [0, 10, 25, 90, 100, 205, 305, 48]
LABELS = [0, 0, 1, 1, 1, 0, 2, 1]


def _features():
    return [torch.tensor([math.cos(math.radians(a)),
                          math.sin(math.radians(a))]) * (1 + i)
            for i, a in enumerate(ANGLES)]  # lengths differ: cosine only


def _by_hand(k, temperature):
    """Leave-one-out kNN top-1 and R@1/R@5 with plain loops."""
    n = len(ANGLES)
    knn_hits, r1, r5 = 0, 0, 0
    for i in range(n):
        sims = sorted(((math.cos(math.radians(ANGLES[i] - ANGLES[j])), j)
                       for j in range(n) if j != i), reverse=True)
        votes = {}
        for s, j in sims[:k]:
            votes[LABELS[j]] = votes.get(LABELS[j], 0) + math.exp(
                s / temperature)
        knn_hits += max(votes, key=votes.get) == LABELS[i]
        r1 += LABELS[sims[0][1]] == LABELS[i]
        r5 += any(LABELS[j] == LABELS[i] for _, j in sims[:5])
    return dict(knn_top1=knn_hits / n, retrieval_r1=r1 / n,
                retrieval_r5=r5 / n)


@pytest.mark.parametrize('k, temperature', [(1, 0.07), (3, 0.07), (3, 1.0),
                                            (7, 0.5)])
def test_metric_equals_a_hand_computation(k, temperature):
    metric = RepresentationMonitorMetric(k=k, temperature=temperature)
    metric.process({}, [dict(video_feature=f, gt_label=torch.tensor(lab))
                        for f, lab in zip(_features(), LABELS)])
    result = metric.evaluate(len(LABELS))
    assert set(result) == {'knn_top1', 'retrieval_r1', 'retrieval_r5'}
    expected = _by_hand(k, temperature)
    for name, value in expected.items():
        assert result[name] == pytest.approx(value, abs=1e-12), name
        assert 0.0 <= result[name] <= 1.0


def test_hand_values_of_the_fixed_features():
    # nearest others: 0->1 (hit), 1->0 (hit), 2->1 (miss), 3->4 (hit),
    # 4->3 (hit), 5->6 (miss), 6->0 (miss, class 2 is alone), 7->2 (hit)
    assert _by_hand(1, 0.07)['retrieval_r1'] == 5 / 8
    # within the 5 nearest: all but the lone class-2 video
    assert _by_hand(1, 0.07)['retrieval_r5'] == 7 / 8


def test_prefix_and_bad_sets():
    metric = RepresentationMonitorMetric(prefix='monitor')
    metric.process({}, [dict(video_feature=f, gt_label=lab)
                        for f, lab in zip(_features(), LABELS)])
    assert set(metric.evaluate(8)) == {'monitor/knn_top1',
                                       'monitor/retrieval_r1',
                                       'monitor/retrieval_r5'}
    metric = RepresentationMonitorMetric()
    metric.process({}, [dict(video_feature=torch.ones(2), gt_label=0)])
    with pytest.raises(ValueError, match='has 1 video; .* at least two'):
        metric.evaluate(1)
    with pytest.raises(ValueError, match='k must be a positive int'):
        RepresentationMonitorMetric(k=0)
