"""Retrieval recall from feature folders: values of a hand-made case."""
import numpy as np
import pytest

from rspnet_mm.features import recall_from_features
from rspnet_mm.features.shards import write_index, write_shard


def _folder(path, features, labels, shard_size=2):
    """A feature folder as tools/extract_features.py writes it, one clip
    per video."""
    path.mkdir()
    for shard in range(-(-len(labels) // shard_size)):
        rows = features[shard * shard_size:(shard + 1) * shard_size]
        write_shard(str(path), shard, rows, np.ones(len(rows), np.int64))
    write_index(str(path), [f'v{i}.mp4' for i in range(len(labels))],
                labels, shard_size)
    return str(path)


def test_recall_of_queries_against_a_gallery(tmp_path):
    # gallery: one video per class along a unit axis, class = axis
    gallery = _folder(tmp_path / 'gallery', np.eye(3, dtype=np.float32),
                      [0, 1, 2])
    # queries: two near their class axis, one nearest to the wrong axis
    # (class 2 second nearest, class 0 last)
    queries = np.array([[1, 0.1, 0], [0, 1, 0.2], [0.1, 0.9, 0.5]],
                       np.float32)
    query = _folder(tmp_path / 'query', queries, [0, 1, 2])
    recall = recall_from_features(gallery, query, topk=(1, 2, 3))
    assert recall == {'retrieval/R@1': pytest.approx(200 / 3),
                      'retrieval/R@2': pytest.approx(100.0),
                      'retrieval/R@3': pytest.approx(100.0)}


def test_features_of_other_models_are_refused(tmp_path):
    gallery = _folder(tmp_path / 'g', np.eye(2, dtype=np.float32), [0, 1])
    query = _folder(tmp_path / 'q', np.ones((2, 3), np.float32), [0, 1])
    with pytest.raises(ValueError, match='dimension 2, queries in .* 3'):
        recall_from_features(gallery, query)
