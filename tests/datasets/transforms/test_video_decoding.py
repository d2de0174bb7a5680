import pickle

import pytest

from rspnet_mm.datasets.transforms import VideoReadError
from rspnet_mm.datasets.transforms.video_decoding import (
    count_decodable_frames,
    open_video,
    probe_frame_size,
    read_frames,
    reduced_size,
)


def test_video_read_error_names_file_and_survives_pickling():
    error = VideoReadError('/data/a.mp4', 'file not found')
    assert str(error) == 'cannot read video /data/a.mp4: file not found'
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.path, copy.reason) == ('/data/a.mp4', 'file not found')
    assert isinstance(error, RuntimeError)


def test_open_and_read_frames_in_order(video_dir, shown_indices):
    reader = open_video(str(video_dir / 'v80.mp4'))
    assert len(reader) == 80
    frames = read_frames(reader, 'v80.mp4', [3, 4, 40, 79])
    assert frames.shape == (4, 48, 64, 3) and frames.dtype.name == 'uint8'
    assert shown_indices(frames) == [3, 4, 40, 79]


def test_probe_frame_size(video_dir):
    assert probe_frame_size(str(video_dir / 'v80.mp4')) == (48, 64)
    assert probe_frame_size(str(video_dir / 'nothing.mp4')) is None


def test_reduced_size_keeps_aspect_and_only_shrinks():
    assert reduced_size(480, 640, 205) == (205, 273)
    assert reduced_size(640, 480, 240) == (320, 240)
    assert reduced_size(48, 64, 48) is None
    assert reduced_size(48, 64, None) is None


def test_open_video_at_reduced_size(video_dir, shown_indices):
    reader = open_video(str(video_dir / 'v80.mp4'), decode_short_side=24)
    frames = read_frames(reader, 'v80.mp4', [0, 9, 77])
    assert frames.shape == (3, 24, 32, 3)
    assert shown_indices(frames) == [0, 9, 77]


def test_missing_file_error(video_dir):
    path = str(video_dir / 'missing.mp4')
    with pytest.raises(VideoReadError, match='file not found') as info:
        open_video(path)
    assert info.value.path == path and path in str(info.value)


@pytest.mark.parametrize('name', ['random.mp4', 'truncated.mp4',
                                  'no_frames.mp4'])
def test_unopenable_file_errors(video_dir, name):
    path = str(video_dir / name)
    with pytest.raises(VideoReadError,
                       match='decord cannot open it .*truncated, empty or '
                       'not a video') as info:
        open_video(path)
    assert info.value.path == path


def test_read_frames_error_names_frames(video_dir):
    reader = open_video(str(video_dir / 'v20.mp4'))
    with pytest.raises(VideoReadError,
                       match=r'v20.mp4: decoding frames 5..25 failed'):
        read_frames(reader, str(video_dir / 'v20.mp4'), [5, 25])


def test_count_decodable_frames(video_dir):
    def opener(name):
        return lambda: open_video(str(video_dir / name))

    assert count_decodable_frames(opener('v60.mp4'), 60) == 60
    assert len(opener('damaged.mp4')()) == 60  # the header claims all 60
    # Frames past the damage never decode; decord's read-ahead can make
    # earlier ones fail too, so the count is < 60 but not exactly known.
    assert count_decodable_frames(opener('damaged.mp4'), 60) < 60


def test_count_decodable_frames_bisects_to_first_failure():
    class Reader:
        def get_batch(self, indices):
            if indices[0] >= 37:
                raise RuntimeError('decode failed')

    assert count_decodable_frames(Reader, 100) == 37
    assert count_decodable_frames(Reader, 37) == 37
    assert count_decodable_frames(Reader, 38) == 37


def test_count_decodable_frames_zero_when_nothing_decodes():
    class Reader:
        def get_batch(self, indices):
            raise RuntimeError('decode failed')

    assert count_decodable_frames(Reader, 50) == 0
