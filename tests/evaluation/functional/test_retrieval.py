import pytest
import torch

from rspnet_mm.evaluation.functional import cosine_topk, retrieval_recall

GALLERY = torch.tensor([[1., 0.], [0., 1.], [1., 0.], [-1., 0.]])
GALLERY_LABELS = torch.tensor([0, 1, 1, 2])
QUERY = torch.tensor([[1., 0.], [0., 1.], [-1., 0.1]])
QUERY_LABELS = torch.tensor([1, 2, 0])


def test_ties_keep_gallery_order():
    # q0 is equally close to g0 and g2: the stable order puts g0 first
    order = cosine_topk(QUERY, GALLERY, k=4)
    assert order.tolist() == [[0, 2, 1, 3], [1, 0, 2, 3], [3, 1, 0, 2]]


def test_hand_computed_recall_with_k_larger_than_gallery():
    # hits: q0 first at rank 2 (g2), q1 only at rank 4 (g3), q2 at rank 3
    recall = retrieval_recall(QUERY, QUERY_LABELS, GALLERY, GALLERY_LABELS,
                              topk=(1, 2, 3, 10))
    assert recall['R@1'] == pytest.approx(0.0)
    assert recall['R@2'] == pytest.approx(100 / 3)
    assert recall['R@3'] == pytest.approx(200 / 3)
    assert recall['R@10'] == pytest.approx(100.0)  # k clamped to 4


def test_leave_one_out_with_a_single_video_class():
    feats = torch.tensor([[1., 0.], [0.9, 0.1], [0., 1.]])
    labels = torch.tensor([0, 0, 1])  # class 1 has one video: never a hit
    recall = retrieval_recall(feats, labels, topk=(1, 5))
    assert recall == {'R@1': pytest.approx(200 / 3),
                      'R@5': pytest.approx(200 / 3)}
    # a video is never its own neighbour
    assert cosine_topk(feats, feats, 1, exclude_self=True).flatten().tolist() \
        == [1, 0, 1]


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match='both gallery'):
        retrieval_recall(QUERY, QUERY_LABELS, GALLERY, None)
    with pytest.raises(ValueError, match='3 query features but 2 labels'):
        retrieval_recall(QUERY, QUERY_LABELS[:2])
    with pytest.raises(ValueError, match='k must be >= 1'):
        retrieval_recall(QUERY, QUERY_LABELS, topk=(0, ))
