"""Every encoding of the test set through the pretraining pipeline, with
the default backend (no fallback allowed)."""
import numpy as np
import pytest
from mmaction.registry import TRANSFORMS
from mmengine.dataset import Compose

from rspnet_mm.datasets.transforms.frame_sources import DEFAULT_BACKEND
from rspnet_mm.testing.encoded_videos import ENCODINGS


@pytest.fixture(scope='module')
def pipeline():
    return Compose([TRANSFORMS.build(cfg) for cfg in [
        dict(type='RelativeSpeedSampler', clip_len=8, speeds=(1, 2),
             fallback_backends=[]),
        dict(type='PerWindowAugment', size=32),
        dict(type='FormatSpeedViews'),
        dict(type='PackActionInputs', algorithm_keys=('speeds', )),
    ]])


def test_default_backend_is_pyav():
    assert DEFAULT_BACKEND == 'pyav'


@pytest.mark.parametrize('name', sorted(ENCODINGS))
def test_encoding_through_pretraining_pipeline(encoded_videos, pipeline,
                                               shown_indices, name):
    np.random.seed(0)
    sampler = pipeline.transforms[0]
    results = sampler(dict(filename=str(encoded_videos[name])))
    assert results['decoded_by'] == 'pyav'
    assert results['total_frames'] == 40
    assert results['imgs'].shape[1:3] == tuple(ENCODINGS[name].size)
    for view in range(3):  # each view shows the frames it claims
        frames = results['imgs'][results['view_rows'][view]]
        assert shown_indices(frames) == results['frame_inds'][view].tolist()
    packed = pipeline(dict(filename=str(encoded_videos[name])))
    assert tuple(packed['inputs'].shape) == (3, 3, 8, 32, 32)
    assert packed['data_samples'].speeds.shape == (3, )
