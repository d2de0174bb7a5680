"""Paths and command-line options of the tiny test recipes.

The tests run real tools (``tools/train.py`` ...) on tiny configs under
``tests/data/configs``; these helpers locate them from the package, so any
test module can import them (a second ``conftest`` module would shadow the
top-level one).
"""
from pathlib import Path
from typing import List

#: The repository root (the package is installed in editable mode).
REPO_ROOT = Path(__file__).resolve().parents[2]
TINY_RECOGNIZER_CONFIG = str(REPO_ROOT / 'tests' / 'data' / 'configs' /
                             'tiny_recognizer.py')


def tiny_recognizer_args(video_set: dict, work_dir) -> List[str]:
    """``--work-dir`` and ``--cfg-options`` pointing the tiny supervised
    recipe at a video set (``root`` and ``ann_file``)."""
    options = []
    for key in ('train_dataloader', 'test_dataloader'):
        options += [f'{key}.dataset.ann_file={video_set["ann_file"]}',
                    f'{key}.dataset.data_prefix.video={video_set["root"]}']
    return ['--work-dir', str(work_dir), '--cfg-options', *options]
