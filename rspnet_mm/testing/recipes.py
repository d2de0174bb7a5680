"""Paths and command-line options of the tiny test recipes.

The tests run real tools (``tools/train.py`` ...) on tiny configs under
``tests/data/configs``; these helpers locate them from the package, so any
test module can import them (a second ``conftest`` module would shadow the
top-level one).
"""
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import List

#: The repository root (the package is installed in editable mode).
REPO_ROOT = Path(__file__).resolve().parents[2]
TINY_RECOGNIZER_CONFIG = str(REPO_ROOT / 'tests' / 'data' / 'configs' /
                             'tiny_recognizer.py')
DEMO_FINETUNE_CONFIG = str(REPO_ROOT / 'configs' / 'demo' /
                           'finetune_litec3d_synthetic.py')
TINY_RSPNET_CONFIG = str(REPO_ROOT / 'tests' / 'data' / 'configs' /
                         'tiny_rspnet_synthetic.py')


def tiny_recognizer_args(video_set: dict, work_dir) -> List[str]:
    """``--work-dir`` and ``--cfg-options`` pointing the tiny supervised
    recipe at a video set (``root`` and ``ann_file``)."""
    options = []
    for key in ('train_dataloader', 'test_dataloader'):
        options += [f'{key}.dataset.ann_file={video_set["ann_file"]}',
                    f'{key}.dataset.data_prefix.video={video_set["root"]}']
    return ['--work-dir', str(work_dir), '--cfg-options', *options]


def load_tool(name: str, register: bool = False) -> ModuleType:
    """Import a script under ``tools/`` as a module, to call its ``main``.

    Args:
        name (str): Path below ``tools/`` without ``.py``, e.g. ``'train'``
            or ``'data/generate_synthetic_motion'``.
        register (bool): Also put the module in ``sys.modules`` (as
            ``tool_<name>``), which a tool needs when worker processes
            unpickle its functions; the caller removes it. Defaults to
            False.

    Returns:
        ModuleType: The executed module.
    """
    module_name = 'tool_' + name.replace('/', '_')
    spec = importlib.util.spec_from_file_location(
        module_name, REPO_ROOT / 'tools' / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    if register:
        sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def motion_set_args(motion_set: dict, work_dir, *splits: str) -> List[str]:
    """``--work-dir``, ``--data-root`` and the ``--<split>-list`` flags of a
    :func:`tiny_motion_set` fixture (``train`` or ``val`` lists; the test
    split reads the val list)."""
    args = ['--work-dir', str(work_dir), '--data-root', motion_set['root']]
    for split in splits:
        name = 'train' if split == 'train' else 'val'
        args += [f'--{split}-list', motion_set[f'{name}_list']]
    return args
