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
