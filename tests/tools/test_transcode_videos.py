"""tools/data/transcode_videos.py: re-encoded, checked, resumable."""
import numpy as np
import pytest

from rspnet_mm.datasets.transforms.frame_sources import PyAVReader
from rspnet_mm.testing.encoded_videos import (
    ENCODINGS,
    Encoding,
    write_encoded_video,
)
from rspnet_mm.testing.recipes import load_tool
from rspnet_mm.testing.videos import read_index

#: A few encodings of the test set, and one larger h264 to shrink.
SOURCES = {'xvid.avi': ENCODINGS['mpeg4_avi'], 'vp9.webm': ENCODINGS['vp9'],
           'sub/av1.mp4': ENCODINGS['av1'],
           'big.mp4': Encoding('big.mp4', 'libx264', 'yuv420p',
                               size=(96, 128))}


@pytest.fixture(scope='module')
def collection(tmp_path_factory):
    root = tmp_path_factory.mktemp('collection')
    for name, encoding in SOURCES.items():
        write_encoded_video(root / 'videos' / name, encoding, num_frames=30)
    (root / 'videos' / 'broken.mp4').write_bytes(b'not a video' * 50)
    ann = root / 'list.txt'
    ann.write_text('xvid.avi 0\nvp9.webm 1\nsub/av1.mp4 2\nbig.mp4 1\n'
                   'broken.mp4 0\n')
    return root, ann


def run(tool, collection, out, *extra):
    root, ann = collection
    return tool.main([str(ann), '--data-prefix', str(root / 'videos'),
                      '--out', str(out), '--out-list',
                      str(out / 'list.txt'), '--short-side', '48',
                      '--keyint', '8', '--workers', '0', *extra])


def test_transcode_round_trip_and_resume(collection, tmp_path, capsys):
    tool = load_tool('data/transcode_videos')
    out = tmp_path / 'out'
    assert run(tool, collection, out) == 1  # one broken input
    printed = capsys.readouterr().out
    assert 'transcoded 4, kept 0 finished earlier, 1 broken' in printed
    lines = (out / 'list.txt').read_text().splitlines()
    assert lines == ['xvid.avi'.replace('.avi', '.mp4') + ' 0',
                     'vp9.mp4 1', 'sub/av1.mp4 2', 'big.mp4 1']
    broken = (out / 'list.txt.broken.txt').read_text()
    assert broken.startswith(f'{collection[0] / "videos" / "broken.mp4"}: ')
    for line in lines:
        reader = PyAVReader(str(out / line.split()[0]))
        assert len(reader) == 30  # every frame kept, in order
        frames = reader.read(list(range(30)))
        assert [read_index(f) for f in frames] == list(range(30))
        assert min(frames.shape[1:3]) == 48 and frames.shape[1] % 2 == 0
        assert sum(p.is_keyframe for p in reader.packets) >= 30 // 8
    big = PyAVReader(str(out / 'big.mp4')).read([0])
    assert big.shape[1:3] == (48, 64)
    # Resume: everything kept; a deleted and a damaged output made again.
    assert run(tool, collection, out) == 1
    assert 'transcoded 0, kept 4 finished earlier' in capsys.readouterr().out
    (out / 'vp9.mp4').unlink()
    damaged = out / 'big.mp4'
    damaged.write_bytes(damaged.read_bytes()[:200])
    assert run(tool, collection, out) == 1
    assert 'transcoded 2, kept 2 finished earlier' in capsys.readouterr().out
    assert len(PyAVReader(str(damaged))) == 30
    assert np.array_equal(PyAVReader(str(damaged)).read([0]), big)
