import pickle

import numpy as np
import pytest
import torch

from rspnet_mm.datasets.transforms import VideoReadError
from rspnet_mm.datasets.transforms.frame_sources import (
    BACKENDS,
    PyAVReader,
    RawframeReader,
    installed_backends,
    open_video,
    probe_frame_size,
    reduced_size,
)
from rspnet_mm.testing.encoded_videos import ENCODINGS

#: How far two backends' RGB frames of the same decoded frame may differ:
#: (largest difference of one value, largest per-frame mean difference), in
#: 8-bit levels. Both convert YUV to RGB with FFmpeg's swscale, decord with
#: FFmpeg 4.1 and PyAV with 8.0. For 8-bit streams of even size they agree
#: to one level (0 measured, 1 for MJPEG); at an odd width or height the
#: last chroma row/column is upsampled differently (up to 59 levels on those
#: pixels, mean 0.21); 10-bit streams are reduced to 8 bits with different
#: rounding (mean 1.02, 86% of values within 2 levels; PyAV's frames are the
#: closer to the source).
TOLERANCE = {'default': (2, 0.1), 'odd_size': (64, 0.5),
             'h264_10bit': (64, 1.5)}
#: Encodings decord 0.6.0 cannot read: AV1 (no decoder in its FFmpeg 4.1)
#: and portrait frames (its frame copy assumes width >= height).
DECORD_FAILS = {'av1', 'portrait'}


def test_video_read_error_names_file_and_survives_pickling():
    error = VideoReadError('/data/a.mp4', 'file not found')
    assert str(error) == 'cannot read video /data/a.mp4: file not found'
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.path, copy.reason) == ('/data/a.mp4', 'file not found')
    assert isinstance(error, RuntimeError)


def test_both_backends_installed():
    assert installed_backends() == ['pyav', 'decord']
    with pytest.raises(ValueError, match="backend='nope': use one of"):
        open_video('a.mp4', backend='nope')


@pytest.mark.parametrize('backend', sorted(BACKENDS))
def test_open_and_read_frames_in_order(video_dir, shown_indices, backend):
    reader = open_video(str(video_dir / 'v80.mp4'), backend)
    assert len(reader) == 80
    frames = reader.read([3, 4, 40, 79])
    assert frames.shape == (4, 48, 64, 3) and frames.dtype.name == 'uint8'
    assert shown_indices(frames) == [3, 4, 40, 79]


@pytest.mark.parametrize('backend', sorted(BACKENDS))
def test_open_video_at_reduced_size(video_dir, shown_indices, backend):
    reader = open_video(str(video_dir / 'v80.mp4'), backend,
                        decode_short_side=24)
    frames = reader.read([0, 9, 77])
    assert frames.shape == (3, 24, 32, 3)
    assert shown_indices(frames) == [0, 9, 77]


def test_probe_frame_size(video_dir):
    assert probe_frame_size(str(video_dir / 'v80.mp4')) == (48, 64)
    assert probe_frame_size(str(video_dir / 'nothing.mp4')) is None


def test_reduced_size_keeps_aspect_and_only_shrinks():
    assert reduced_size(480, 640, 205) == (205, 273)
    assert reduced_size(640, 480, 240) == (320, 240)
    assert reduced_size(48, 64, 48) is None
    assert reduced_size(48, 64, None) is None


@pytest.mark.parametrize('backend', sorted(BACKENDS))
def test_missing_file_error(video_dir, backend):
    path = str(video_dir / 'missing.mp4')
    with pytest.raises(VideoReadError, match='file not found') as info:
        open_video(path, backend)
    assert info.value.path == path and path in str(info.value)


@pytest.mark.parametrize('backend, message', [
    ('pyav', 'PyAV cannot open it .*truncated, empty or not a video'),
    ('decord', 'decord cannot open it .*truncated, empty or not a video')])
@pytest.mark.parametrize('name', ['random.mp4', 'truncated.mp4'])
def test_unopenable_file_errors(video_dir, name, backend, message):
    path = str(video_dir / name)
    with pytest.raises(VideoReadError, match=message) as info:
        open_video(path, backend)
    assert info.value.path == path


def test_no_video_stream_error(video_dir):
    with pytest.raises(VideoReadError, match='no video stream; remove it'):
        open_video(str(video_dir / 'no_frames.mp4'), 'pyav')


@pytest.mark.parametrize('backend', sorted(BACKENDS))
def test_read_error_names_frames(video_dir, backend):
    reader = open_video(str(video_dir / 'v20.mp4'), backend)
    with pytest.raises(VideoReadError,
                       match=r'v20.mp4: decoding frames 5..25 failed'):
        reader.read([5, 25])


@pytest.mark.parametrize('name', sorted(ENCODINGS))
def test_pyav_reads_every_encoding_by_index(encoded_videos, shown_indices,
                                            name):
    reader = open_video(str(encoded_videos[name]), 'pyav')
    assert len(reader) == 40
    assert reader.skip_unwanted == (ENCODINGS[name].codec in ('libx264',
                                                             'libx265'))
    height, width = ENCODINGS[name].size
    wanted = [0, 1, 7, 20, 21, 22, 38, 39]
    frames = reader.read(wanted)
    assert frames.shape == (len(wanted), height, width, 3)
    assert shown_indices(frames) == wanted
    # Exactly the frames of a full decode (unwanted non-reference frames
    # were skipped, key frames jumped to).
    every = open_video(str(encoded_videos[name]), 'pyav').read(range(40))
    np.testing.assert_array_equal(frames, every[wanted])
    # A later read of the same reader starts again from a key frame.
    assert shown_indices(reader.read([5, 30])) == [5, 30]


@pytest.mark.parametrize('name', sorted(set(ENCODINGS) - DECORD_FAILS))
def test_backends_give_the_same_frames(encoded_videos, name):
    path = str(encoded_videos[name])
    pyav, decord = open_video(path, 'pyav'), open_video(path, 'decord')
    assert len(pyav) == len(decord) == 40
    every = list(range(40))
    a = pyav.read(every).astype(np.int16)
    b = decord.read(every).astype(np.int16)
    difference = np.abs(a - b)
    largest, mean = TOLERANCE.get(name, TOLERANCE['default'])
    assert difference.max() <= largest, name
    assert difference.mean(axis=(1, 2, 3)).max() <= mean, name


@pytest.mark.parametrize('name', sorted(DECORD_FAILS))
def test_decord_cannot_read(encoded_videos, name):
    with pytest.raises(VideoReadError):
        open_video(str(encoded_videos[name]), 'decord').read([0, 1])


def test_variable_frame_rate_indices_are_decode_order(encoded_videos,
                                                      shown_indices):
    # Frame gaps of 20-100 ms: a timestamp * fps guess would land on the
    # wrong frames; the index is the frame's place in the stream.
    reader = open_video(str(encoded_videos['vfr']), 'pyav')
    assert shown_indices(reader.read([2, 3, 4, 33])) == [2, 3, 4, 33]


def write_frame_folder(root, count, tmpl='img_{:05}.jpg'):
    import cv2

    from rspnet_mm.testing.videos import index_frame
    root.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        cv2.imwrite(str(root / tmpl.format(i + 1)),
                    cv2.cvtColor(index_frame(i), cv2.COLOR_RGB2BGR))
    return root


def test_rawframe_reader(tmp_path, shown_indices):
    folder = write_frame_folder(tmp_path / 'clip', 12)
    reader = RawframeReader(str(folder), 12)
    assert len(reader) == 12
    frames = reader.read([0, 5, 11])
    assert frames.shape == (3, 48, 64, 3)
    assert shown_indices(frames) == [0, 5, 11]
    small = RawframeReader(str(folder), 12, decode_short_side=24)
    assert small.read([2]).shape == (1, 24, 32, 3)


def test_rawframe_reader_errors(tmp_path):
    folder = write_frame_folder(tmp_path / 'clip', 3)
    with pytest.raises(VideoReadError, match='frame folder not found'):
        RawframeReader(str(tmp_path / 'nope'), 3)
    with pytest.raises(VideoReadError, match='needs at least one frame'):
        RawframeReader(str(folder), 0)
    with pytest.raises(VideoReadError,
                       match='frame img_00005.jpg is missing or not an '
                       'image .the annotation file says 5 frames'):
        RawframeReader(str(folder), 5).read([0, 4])


def test_frames_whose_timestamps_differ_from_their_packets(encoded_videos,
                                                          shown_indices):
    # As with packed B-frames in AVI: no decoded frame carries a packet's
    # timestamp, so the reader counts the decoder's output instead.
    class Unmatched(PyAVReader):
        def _index(self, frame, count):
            return -1 if self.by_pts is not None else count

    reader = Unmatched(str(encoded_videos['mpeg4_avi']))
    assert reader.by_pts is not None
    assert shown_indices(reader.read([3, 17, 39])) == [3, 17, 39]
    assert reader.by_pts is not None  # restored for the next read


class _Reads(torch.utils.data.Dataset):
    def __init__(self, path):
        self.path = path

    def __len__(self):
        return 4

    def __getitem__(self, index):
        return len(open_video(self.path, 'pyav').read([index, 30]))


def test_workers_forked_after_decoding_here_do_not_deadlock(video_dir):
    # swscale's thread pool does not survive a fork: the converter runs
    # single-threaded, so workers forked after this process decoded work.
    path = str(video_dir / 'v80.mp4')
    open_video(path, 'pyav').read([0, 1, 2])
    loader = torch.utils.data.DataLoader(
        _Reads(path), batch_size=2, num_workers=2, timeout=60,
        multiprocessing_context='fork')
    assert [batch.tolist() for batch in loader] == [[2, 2], [2, 2]]
