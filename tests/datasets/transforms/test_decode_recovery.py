from rspnet_mm.datasets.transforms import VideoReadError
from rspnet_mm.datasets.transforms.decode_recovery import (
    count_decodable_frames,
)
from rspnet_mm.datasets.transforms.frame_sources import open_video


def failing_from(first_bad):
    class Reader:
        def read(self, indices):
            if indices[0] >= first_bad:
                raise VideoReadError('a.mp4', 'decode failed')
    return Reader


def test_count_decodable_frames_on_files(video_dir):
    def opener(name, backend='pyav'):
        return lambda: open_video(str(video_dir / name), backend)

    assert count_decodable_frames(opener('v60.mp4'), 60) == 60
    assert len(opener('damaged.mp4')()) == 60  # the header claims all 60
    # Frames past the damage never decode (decord's read-ahead can make
    # earlier ones fail too, so its count is < 60 but not exactly known).
    assert count_decodable_frames(opener('damaged.mp4'), 60) < 60
    assert count_decodable_frames(opener('damaged.mp4', 'decord'), 60) < 60


def test_count_decodable_frames_bisects_to_first_failure():
    assert count_decodable_frames(failing_from(37), 100) == 37
    assert count_decodable_frames(failing_from(37), 37) == 37
    assert count_decodable_frames(failing_from(37), 38) == 37


def test_count_decodable_frames_zero_when_nothing_decodes():
    assert count_decodable_frames(failing_from(0), 50) == 0
