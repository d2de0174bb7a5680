"""tools/check_videos.py: every broken video reported with its reason."""
import sys

import pytest

from rspnet_mm.testing.broken_videos import (
    BROKEN_KINDS,
    DAMAGED,
    gradient_frames,
    write_broken_videos,
)
from rspnet_mm.testing.encoded_videos import ENCODINGS, write_encoded_video
from rspnet_mm.testing.recipes import load_tool
from rspnet_mm.testing.videos import write_video

REASONS = {
    'missing.mp4': 'file not found',
    'empty.mp4': 'empty file (0 bytes)',
    # every backend is tried: each one's reason, the pipeline's first
    'random.mp4': 'pyav: PyAV cannot open it',
    'truncated.mp4': 'pyav: PyAV cannot open it',
    'no_frames.mp4': 'pyav: the file has no video stream; remove it; '
    'decord: decord cannot open it',
    'undecodable.mp4': 'none of its 40 frames decode',
    DAMAGED: 'the header says 40 frames but only the first',
}


@pytest.fixture(scope='module')
def tool():
    # --workers pickles its functions: registered in sys.modules
    module = load_tool('check_videos', register=True)
    yield module
    del sys.modules[module.__name__]


@pytest.fixture(scope='module')
def videos(tmp_path_factory):
    root = tmp_path_factory.mktemp('videos')
    write_video(root / 'good_a.mp4', gradient_frames(12))
    write_video(root / 'good_b.mp4', gradient_frames(30, size=64))
    write_broken_videos(root)
    return root


def write_list(tmp_path, names):
    ann = tmp_path / 'list.txt'
    ann.write_text(''.join(f'{n} 0\n' for n in names))
    return ann


def test_reports_every_broken_video(tool, videos, tmp_path, capsys):
    names = ['good_a.mp4', *BROKEN_KINDS, DAMAGED, 'good_b.mp4']
    ann = write_list(tmp_path, names)
    out = tmp_path / 'broken.txt'
    status = tool.main([str(ann), '--data-prefix', str(videos), '--out',
                        str(out)])
    assert status == 1
    printed = capsys.readouterr()
    for name, reason in REASONS.items():
        assert f'BROKEN {videos / name}: {reason}' in printed.out
    assert 'good_a.mp4' not in printed.out.replace('good_a.mp4 0', '')
    assert 'MiB): 2 decode, 7 broken' in printed.out
    assert 'checked 9 videos (' in printed.out
    assert 'frames per video: min 12, median 21, max 30' in printed.out
    assert 'frame sizes (HxW): 32x32, 64x64' in printed.out
    assert 'read by: pyav 2' in printed.out
    assert 'check_videos' in printed.err  # the progress bar
    rows = [line.split('\t') for line in out.read_text().splitlines()]
    assert [r[0] for r in rows] == [*BROKEN_KINDS, DAMAGED]
    for name, reason in rows:
        assert reason.startswith(REASONS[name])


def test_all_good_list_exits_zero_with_workers(tool, videos, tmp_path,
                                               capsys):
    ann = write_list(tmp_path, ['good_a.mp4', 'good_b.mp4'])
    assert tool.main([str(ann), '--data-prefix', str(videos), '--workers',
                      '2']) == 0
    assert 'MiB): 2 decode, 0 broken' in capsys.readouterr().out


def test_config_gives_list_and_prefix(tool, videos, tmp_path, capsys):
    ann = write_list(tmp_path, ['good_a.mp4', 'random.mp4'])
    config = tmp_path / 'cfg.py'
    config.write_text(
        f"train_dataloader = dict(dataset=dict(type='VideoDataset', "
        f"ann_file='{ann}', data_prefix=dict(video='{videos}')))\n")
    assert tool.main([str(config)]) == 1
    assert f'BROKEN {videos / "random.mp4"}' in capsys.readouterr().out
    assert tool.main([str(config), '--split', 'val']) == 2
    assert 'has no val_dataloader.dataset' in capsys.readouterr().err


def test_malformed_list_exits_two_naming_the_line(tool, tmp_path, capsys):
    ann = tmp_path / 'list.txt'
    ann.write_text('a.mp4 0\nb.mp4 x\n')
    assert tool.main([str(ann)]) == 2
    err = capsys.readouterr().err
    assert f"{ann}, line 2 ('b.mp4 x'): label 'x' is not an integer" in err


@pytest.mark.parametrize('text', ['', '\n  \n'])
def test_empty_list_exits_two(tool, tmp_path, capsys, text):
    ann = tmp_path / 'list.txt'
    ann.write_text(text)
    assert tool.main([str(ann)]) == 2
    err = capsys.readouterr().err
    assert f'{ann} lists no videos' in err
    assert '--cfg-options' not in err  # the checker has no such option


def test_missing_list_suggests_only_checker_options(tool, tmp_path, capsys):
    assert tool.main([str(tmp_path / 'nowhere.txt')]) == 2
    err = capsys.readouterr().err
    assert 'nowhere.txt not found; pass an existing list file' in err
    assert '--cfg-options' not in err and '--train-list' not in err


def test_config_checks_labels_against_the_head(tool, videos, tmp_path,
                                               capsys):
    ann = write_list(tmp_path, ['good_a.mp4'])
    ann.write_text(ann.read_text() + 'good_b.mp4 2\n')
    config = tmp_path / 'cfg.py'
    config.write_text(
        "model = dict(cls_head=dict(num_classes=2))\n"
        f"train_dataloader = dict(dataset=dict(type='LabelledVideoDataset', "
        f"ann_file='{ann}', data_prefix=dict(video='{videos}')))\n")
    assert tool.main([str(config)]) == 2
    assert (f"{ann}, line 2 ('good_b.mp4 2'): label 2 is outside [0, 2)"
            in capsys.readouterr().err)


@pytest.mark.parametrize('first', ['pyav', 'decord'])
def test_av1_counts_as_good_whatever_backend_comes_first(
        tool, tmp_path, capsys, first):
    """decord 0.6.0 cannot open AV1; training falls back to PyAV, so the
    checker must not call the file broken."""
    write_encoded_video(tmp_path / 'av1.mp4', ENCODINGS['av1'])
    ann = write_list(tmp_path, ['av1.mp4'])
    assert tool.main([str(ann), '--data-prefix', str(tmp_path),
                      '--backend', first]) == 0
    out = capsys.readouterr().out
    assert 'MiB): 1 decode, 0 broken' in out
    assert 'read by: pyav 1' in out
