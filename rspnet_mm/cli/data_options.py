"""``--data-root``, ``--train-list``, ... : point any config at your data.

The configs spell their data paths on every dataloader (train, val, test
and, for retrieval, the gallery), and a config's ``data_root`` variable is
substituted when the file is read, so overriding it with ``--cfg-options``
changes nothing. These flags set the paths on every loader that reads the
split, descending into dataset wrappers (``RepeatDataset``, ...):

==================  ===================================================
flag                loaders it sets
==================  ===================================================
``--data-root``     every loader: the folder the list paths are
                    relative to (``data_prefix.video``, or ``.img`` for
                    frame folders)
``--train-list``    ``train_dataloader``, ``gallery_dataloader``
``--val-list``      ``val_dataloader``, and ``test_dataloader`` without
                    ``--test-list``
``--test-list``     ``test_dataloader``
``--num-classes``   ``model.cls_head.num_classes`` and every dataset
``--batch-size``    the loaders of the tool's splits
``--num-workers``   every loader (0 also turns ``persistent_workers``
                    off)
==================  ===================================================
"""
import argparse
import os.path as osp
from typing import Dict, Iterator, List, Optional, Sequence

from mmengine.config import Config, ConfigDict

from rspnet_mm.datasets.video_list import parse_video_list

#: Loaders that read each split.
SPLIT_LOADERS = {
    'train': ('train_dataloader', 'gallery_dataloader'),
    'val': ('val_dataloader', ),
    'test': ('test_dataloader', ),
}
ALL_LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader',
               'gallery_dataloader')
#: Dataset types whose lists have no class label (pretraining).
UNLABELLED_TYPES = ('SkipBrokenVideoDataset', )


def add_data_arguments(parser: argparse.ArgumentParser,
                       splits: Sequence[str]) -> None:
    """Add the data flags of ``splits`` (``train``, ``val``, ``test``).

    Args:
        parser (argparse.ArgumentParser): The tool's parser.
        splits (Sequence[str]): The splits the tool reads.
    """
    group = parser.add_argument_group(
        'your data (set every dataloader of the config; list lines are '
        '`path label`, paths relative to --data-root)')
    group.add_argument('--data-root', metavar='DIR',
                       help='folder the list paths are relative to')
    helps = dict(train='training list (and the retrieval gallery)',
                 val='validation list (also the test list without '
                 '--test-list)',
                 test='test list (retrieval: the queries)')
    for split in splits:
        group.add_argument(f'--{split}-list', metavar='LIST',
                           help=helps[split])
    group.add_argument('--num-classes', type=int, metavar='N',
                       help='classes of your labels (sets the classifier '
                       'head and the label check)')
    group.add_argument('--batch-size', type=int, metavar='N',
                       help='batch size of the ' + '/'.join(splits) +
                       ' loaders')
    group.add_argument('--num-workers', type=int, metavar='N',
                       help='DataLoader worker processes (0 = load in the '
                       'main process)')
    parser.set_defaults(data_splits=tuple(splits))


def dataset_of(loader: Dict) -> Optional[Dict]:
    """The innermost dataset dict of a loader (wrappers descended)."""
    dataset = loader.get('dataset')
    while isinstance(dataset, dict) and 'ann_file' not in dataset and \
            isinstance(dataset.get('dataset'), dict):
        dataset = dataset['dataset']
    return dataset if isinstance(dataset, dict) else None


def _loaders(cfg: Config, keys: Sequence[str]) -> Iterator[Dict]:
    for key in keys:
        loader = cfg.get(key)
        if isinstance(loader, dict):
            yield loader


def _set_list(dataset: Dict, ann_file: Optional[str],
              data_root: Optional[str]) -> None:
    if ann_file is not None:
        dataset['ann_file'] = ann_file
    if data_root is not None:
        prefix = dataset.get('data_prefix') or ConfigDict()
        prefix['img' if 'img' in prefix else 'video'] = data_root
        dataset['data_prefix'] = prefix
    root = dataset.pop('data_root', None) if (
        ann_file is not None or data_root is not None) else None
    old = dataset.get('ann_file')
    if root and ann_file is None and old and not osp.isabs(old):
        dataset['ann_file'] = osp.join(root, old)  # keeps pointing there


def apply_data_arguments(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply the data flags (see the module docstring). Tools call
    :func:`finish_data_config` after ``--cfg-options``.

    Args:
        cfg (Config): The config; changed in place.
        args (argparse.Namespace): Parsed flags of
            :func:`add_data_arguments` (missing ones count as not given).

    Returns:
        Config: ``cfg``.
    """
    get = vars(args).get
    lists = {split: get(f'{split}_list') for split in SPLIT_LOADERS}
    if lists['test'] is None and lists['val'] is not None:
        lists['test'] = lists['val']
    data_root = get('data_root')
    for split, keys in SPLIT_LOADERS.items():
        for loader in _loaders(cfg, keys):
            dataset = dataset_of(loader)
            if dataset is not None:
                _set_list(dataset, lists[split], data_root)
    if get('num_classes') is not None:
        set_num_classes(cfg, get('num_classes'))
    batch_keys = [key for split in get('data_splits', ())
                  for key in SPLIT_LOADERS[split]]
    for loader in _loaders(cfg, batch_keys if get('batch_size') else ()):
        loader['batch_size'] = get('batch_size')
    if get('num_workers') is not None:
        for loader in _loaders(cfg, ALL_LOADERS):
            loader['num_workers'] = get('num_workers')
    return cfg


def finish_data_config(cfg: Config, used: Sequence[str]) -> Config:
    """:func:`fix_loader_options`, :func:`link_num_classes` and
    :func:`check_plain_video_lists`, once every option is applied.

    Args:
        cfg (Config): The config; changed in place.
        used (Sequence[str]): The loaders the tool runs, e.g.
            ``('train_dataloader', 'val_dataloader')``.

    Returns:
        Config: ``cfg``.
    """
    fix_loader_options(cfg)
    link_num_classes(cfg)
    check_plain_video_lists(cfg, used)
    return cfg


def check_plain_video_lists(cfg: Config, keys: Sequence[str]) -> None:
    """Read the lists of MMAction2's own ``VideoDataset`` with the checks
    of :func:`parse_video_list` (this project's datasets check their own
    lists when built): a malformed line, a missing or out-of-range label or
    an empty list stops here with the file and line, instead of
    ``need at least one array to concatenate`` or an ``IndexError`` in the
    loss.

    Raises:
        VideoListError: A line that cannot be used, or an empty list.
        FileNotFoundError: A list that does not exist.
    """
    for loader in _loaders(cfg, keys):
        dataset = dataset_of(loader)
        if dataset is None or dataset.get('type') != 'VideoDataset':
            continue
        ann_file = dataset.get('ann_file') or ''
        root = dataset.get('data_root')
        if root and not osp.isabs(ann_file):
            ann_file = osp.join(root, ann_file)
        parse_video_list(ann_file,
                         delimiter=dataset.get('delimiter', ' '),
                         multi_class=dataset.get('multi_class', False),
                         num_classes=dataset.get('num_classes'),
                         require_label=True)


def set_num_classes(cfg: Config, num_classes: int) -> None:
    """Set the classifier head's and every dataset's ``num_classes``."""
    if num_classes < 1:
        raise ValueError(f'--num-classes {num_classes}: must be >= 1')
    head = (cfg.get('model') or {}).get('cls_head')
    if isinstance(head, dict) and 'num_classes' in head:
        head['num_classes'] = num_classes
    for loader in _loaders(cfg, ALL_LOADERS):
        dataset = dataset_of(loader)
        if dataset is not None and dataset.get('type') not in \
                UNLABELLED_TYPES:
            dataset['num_classes'] = num_classes


def fix_loader_options(cfg: Config) -> List[str]:
    """Turn ``persistent_workers`` off on loaders without workers (torch
    refuses the combination).

    Returns:
        list[str]: The loaders changed.
    """
    changed = []
    for key in ALL_LOADERS:
        loader = cfg.get(key)
        if isinstance(loader, dict) and loader.get('num_workers', 0) == 0 \
                and loader.get('persistent_workers'):
            loader['persistent_workers'] = False
            changed.append(key)
    return changed


def link_num_classes(cfg: Config) -> None:
    """Give every labelled dataset without ``num_classes`` the classifier
    head's, so that a label the head cannot predict stops the run when the
    list is read (file and line), not inside the loss."""
    head = (cfg.get('model') or {}).get('cls_head')
    classes = head.get('num_classes') if isinstance(head, dict) else None
    if not isinstance(classes, int):
        return
    for loader in _loaders(cfg, ALL_LOADERS):
        dataset = dataset_of(loader)
        if dataset is not None and dataset.get('num_classes') is None \
                and dataset.get('type') not in UNLABELLED_TYPES:
            dataset['num_classes'] = classes
