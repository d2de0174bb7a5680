"""tools/data/extract_frames.py: MMAction2 frame folders, resumable."""
import pytest

from rspnet_mm.datasets.transforms.frame_sources import RawframeReader
from rspnet_mm.testing.encoded_videos import ENCODINGS, write_encoded_video
from rspnet_mm.testing.recipes import load_tool
from rspnet_mm.testing.videos import read_index


@pytest.fixture(scope='module')
def collection(tmp_path_factory):
    root = tmp_path_factory.mktemp('collection')
    write_encoded_video(root / 'videos' / 'a' / 'h264.mp4',
                        ENCODINGS['h264'], num_frames=24)
    write_encoded_video(root / 'videos' / 'xvid.avi',
                        ENCODINGS['mpeg4_avi'], num_frames=17)
    (root / 'videos' / 'empty.mp4').write_bytes(b'')
    ann = root / 'list.txt'
    ann.write_text('a/h264.mp4 3\nxvid.avi 5\nempty.mp4 1\n')
    return root, ann


def test_extract_round_trip_and_resume(collection, tmp_path, capsys):
    tool = load_tool('data/extract_frames')
    root, ann = collection
    out = tmp_path / 'frames'
    args = [str(ann), '--data-prefix', str(root / 'videos'), '--out',
            str(out), '--out-list', str(out / 'list.txt'), '--workers', '0']
    assert tool.main(args) == 1  # one broken input
    assert 'extracted 2, kept 0 finished earlier, 1 broken' in \
        capsys.readouterr().out
    lines = (out / 'list.txt').read_text().splitlines()
    assert lines == ['a/h264 24 3', 'xvid 17 5']
    assert 'empty.mp4: ' in (out / 'list.txt.broken.txt').read_text()
    for line in lines:
        frame_dir, total, _ = line.split()
        assert len(list((out / frame_dir).glob('img_*.jpg'))) == int(total)
        reader = RawframeReader(str(out / frame_dir), int(total))
        frames = reader.read(list(range(int(total))))
        assert frames.shape[1:] == (48, 64, 3)
        assert [read_index(f) for f in frames] == list(range(int(total)))
    assert (out / 'a' / 'h264' / 'img_00001.jpg').is_file()
    assert tool.main(args) == 1
    assert 'extracted 0, kept 2 finished earlier' in capsys.readouterr().out
    (out / 'xvid' / 'img_00017.jpg').unlink()  # an incomplete folder
    assert tool.main(args) == 1
    assert 'extracted 1, kept 1 finished earlier' in capsys.readouterr().out
    assert (out / 'xvid' / 'img_00017.jpg').is_file()
