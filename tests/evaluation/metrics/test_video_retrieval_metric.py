import numpy as np
import pytest
import torch

from rspnet_mm.evaluation.metrics import VideoRetrievalMetric


def _samples(features, labels):
    return [dict(video_feature=torch.tensor(f), gt_label=torch.tensor(lab))
            for f, lab in zip(features, labels)]


def test_gallery_cache_round_trip(tmp_path):
    cache = tmp_path / 'gallery.npz'
    gallery = VideoRetrievalMetric(topk=(1, 2), dump_features=str(cache))
    gallery.process({}, _samples([[1., 0.], [0., 1.], [1., 0.], [-1., 0.]],
                                 [0, 1, 1, 2]))
    gallery.evaluate(4)
    with np.load(cache) as saved:
        assert saved['features'].shape == (4, 2)
        assert saved['labels'].tolist() == [0, 1, 1, 2]

    metric = VideoRetrievalMetric(topk=(1, 2, 3, 10),
                                  gallery_features=str(cache))
    metric.process({}, _samples([[1., 0.], [0., 1.], [-1., 0.1]], [1, 2, 0]))
    result = metric.evaluate(3)
    assert result['retrieval/R@1'] == pytest.approx(0.0)
    assert result['retrieval/R@2'] == pytest.approx(100 / 3)
    assert result['retrieval/R@10'] == pytest.approx(100.0)


def test_missing_feature_field_explains_the_config_change():
    metric = VideoRetrievalMetric()
    with pytest.raises(KeyError, match='VideoFeatureHead'):
        metric.process({}, [dict(gt_label=torch.tensor(0))])


def test_gallery_of_another_model_is_rejected(tmp_path):
    cache = tmp_path / 'g.npz'
    np.savez(cache, features=np.zeros((2, 3), np.float32),
             labels=np.array([0, 1]))
    metric = VideoRetrievalMetric(gallery_features=str(cache))
    metric.process({}, _samples([[1., 0.]], [0]))
    with pytest.raises(ValueError, match='dimension 3'):
        metric.evaluate(1)
