import numpy as np
import pytest
from mmaction.registry import TRANSFORMS
from mmengine.dataset import Compose

from rspnet_mm.datasets.transforms import VideoReadError


def pipeline(init, decode):
    return Compose([TRANSFORMS.build(cfg) for cfg in [
        init,
        dict(type='SampleFrames', clip_len=8, frame_interval=2, num_clips=3,
             test_mode=True),
        decode]])


def test_same_frames_as_decord_init_and_decode(video_dir, shown_indices):
    path = str(video_dir / 'v80.mp4')
    ours = pipeline(dict(type='VideoInit'), dict(type='VideoDecode'))(
        dict(filename=path, start_index=0, modality='RGB'))
    stock = pipeline(dict(type='DecordInit'), dict(type='DecordDecode'))(
        dict(filename=path, start_index=0, modality='RGB'))
    np.testing.assert_array_equal(ours['frame_inds'], stock['frame_inds'])
    assert ours['total_frames'] == 80 and ours['avg_fps'] == 25.0
    assert len(ours['imgs']) == 24  # 3 clips of 8, order kept
    assert shown_indices(np.stack(ours['imgs'])) == \
        ours['frame_inds'].tolist()
    np.testing.assert_array_equal(np.stack(ours['imgs']),
                                  np.stack(stock['imgs']))
    assert ours['img_shape'] == (48, 64) and ours['video_reader'] is None


def test_repeated_indices_of_a_short_video(video_dir, shown_indices):
    results = pipeline(dict(type='VideoInit'), dict(type='VideoDecode'))(
        dict(filename=str(video_dir / 'v20.mp4'), start_index=0,
             modality='RGB'))
    inds = results['frame_inds'].tolist()
    assert len(inds) > len(set(inds))  # 3 x 8 x 2 frames out of 20 loop
    assert shown_indices(np.stack(results['imgs'])) == inds


def test_falls_back_to_a_backend_that_reads_the_file(encoded_videos,
                                                     shown_indices):
    results = pipeline(dict(type='VideoInit', backend='decord'),
                       dict(type='VideoDecode'))(
        dict(filename=str(encoded_videos['av1']), start_index=0,
             modality='RGB'))
    assert results['total_frames'] == 40
    assert shown_indices(np.stack(results['imgs'])) == \
        results['frame_inds'].tolist()


def test_no_backend_error_names_each(video_dir):
    path = str(video_dir / 'random.mp4')
    with pytest.raises(VideoReadError, match='no backend reads it .pyav: '
                       'PyAV cannot open it.*; decord: decord cannot'):
        TRANSFORMS.build(dict(type='VideoInit'))(dict(filename=path))
