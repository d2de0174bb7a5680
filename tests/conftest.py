"""Shared pytest set-up: import the plugin first, find the fixtures."""
from pathlib import Path

import pytest

import rspnet_mm  # noqa: F401  (applies the upstream fixes, registers modules)
from rspnet_mm.testing.recipes import REPO_ROOT  # noqa: E402

OFFICIAL_FIXTURES = REPO_ROOT.parent / 'shared' / 'fixtures' / 'official'


@pytest.fixture(scope='session')
def official_fixtures() -> Path:
    """Folder of numbers produced by the official RSPNet code.

    A missing folder fails the test that asks for it: these fixtures are
    the reference the implementation is checked against.
    """
    if not OFFICIAL_FIXTURES.is_dir():
        pytest.fail(f'official fixtures not found at {OFFICIAL_FIXTURES}; '
                    'they ship in ../shared/fixtures/official')
    return OFFICIAL_FIXTURES


@pytest.fixture
def tiny_video_set(tmp_path):
    """Four 12-frame 40x40 mp4 clips in two classes and their list file.

    Returns:
        dict: ``root`` (video folder), ``ann_file`` (``name.mp4 label``
        lines) and ``labels``.
    """
    import numpy as np

    from rspnet_mm.testing.videos import write_video

    root = tmp_path / 'videos'
    rng = np.random.default_rng(0)
    lines, labels = [], []
    for i in range(4):
        label = i % 2
        frames = rng.integers(0, 255, (12, 40, 40, 3), dtype=np.uint8)
        frames[:, :, :, label] = 255  # a class-dependent colour cast
        write_video(root / f'clip{i}.mp4', frames)
        lines.append(f'clip{i}.mp4 {label}')
        labels.append(label)
    ann_file = tmp_path / 'list.txt'
    ann_file.write_text('\n'.join(lines) + '\n')
    return dict(root=str(root), ann_file=str(ann_file), labels=labels)


@pytest.fixture(scope='session')
def tiny_motion_set(tmp_path_factory):
    """Eight 32 px synthetic motion clips of 16-20 frames, written by the
    project's generator: six in the train list, two in the val list.

    Returns:
        dict: ``root`` (video folder), ``train_list``, ``val_list`` and
        ``num_classes``.
    """
    from rspnet_mm import synthetic

    out = tmp_path_factory.mktemp('tiny_motion')
    cfg = synthetic.SyntheticMotionConfig(
        n_clips=8, val_fraction=0.25, size=32, min_frames=16, max_frames=20,
        seed=5, rspnet_window=0)
    synthetic.generate_dataset(cfg, out)
    classes = (out / 'classes.txt').read_text().split()
    return dict(root=str(out / 'videos'),
                train_list=str(out / 'train_list.txt'),
                val_list=str(out / 'val_list.txt'),
                num_classes=len(classes))
