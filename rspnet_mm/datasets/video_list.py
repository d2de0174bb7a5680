"""Read a ``path [label]`` video list, checking every line.

MMAction2's ``VideoDataset`` unpacks each line with ``filename, label =
line.split()`` and ``int(label)``, so a malformed line fails with a bare
``ValueError`` that names neither the file nor the line, and a label outside
the head's classes only fails much later, inside the loss. This module reads
the same format and says which file, which line and what to do.
"""
import os.path as osp
from typing import List, Optional

from mmengine.fileio import exists, list_from_file

#: What a dataset's missing or empty list points the user to.
DATASET_LIST_HINT = (
    "set the dataset's ann_file in the config, or pass the list to the "
    'tool: tools/train.py --train-list/--val-list, tools/test.py '
    '--test-list, tools/retrieval.py --train-list/--test-list')


class VideoListError(ValueError):
    """A line of a video list that cannot be used; the message names the
    file, the line number and the fix."""


def _label(text: str, where: str, num_classes: Optional[int]) -> int:
    try:
        label = int(text)
    except ValueError:
        raise VideoListError(
            f'{where}: label {text!r} is not an integer; write '
            '`path label` with an integer class index') from None
    if num_classes is not None and not 0 <= label < num_classes:
        raise VideoListError(
            f'{where}: label {label} is outside [0, {num_classes}) '
            f'(num_classes={num_classes}); fix the label or num_classes')
    if num_classes is None and label < 0:
        raise VideoListError(
            f'{where}: label {label} is negative; use a class index >= 0, '
            'or write only the path for an unlabelled video')
    return label


def parse_video_list(ann_file: str,
                     data_prefix: Optional[str] = None,
                     delimiter: str = ' ',
                     multi_class: bool = False,
                     num_classes: Optional[int] = None,
                     require_label: bool = False,
                     hint: str = DATASET_LIST_HINT) -> List[dict]:
    """Parse a video list with MMAction2's ``VideoDataset`` format.

    Each line is ``path label`` (``path l1 l2 ...`` with ``multi_class``),
    or only ``path`` for an unlabelled video (label -1, for pretraining).
    Blank lines are skipped; a list without any video is an error.

    Args:
        ann_file (str): The list file.
        data_prefix (str, optional): Folder joined in front of each path.
            Defaults to None.
        delimiter (str): Field separator. Defaults to ``' '``.
        multi_class (bool): Several labels per line. Defaults to False.
        num_classes (int, optional): When given, every line needs labels in
            ``[0, num_classes)``. Required with ``multi_class``. Defaults to
            None.
        require_label (bool): Every line needs a label (finetuning,
            evaluation), also without ``num_classes``. Defaults to False.
        hint (str): What to do about a missing or empty list, appended to
            the message. Defaults to :data:`DATASET_LIST_HINT`.

    Returns:
        list[dict]: ``dict(filename=..., label=...)`` per video, in file
        order; ``label`` is an int (-1 for unlabelled) or, with
        ``multi_class``, a list of ints.

    Raises:
        FileNotFoundError: ``ann_file`` does not exist.
        VideoListError: A malformed line (too many or too few fields, empty
            path, non-integer label, label outside the classes, no label
            where one is required), a list without videos, or
            ``multi_class`` without ``num_classes``.
    """
    if multi_class and num_classes is None:
        raise VideoListError(
            f'{ann_file}: multi_class=True needs num_classes (the length of '
            'the one-hot label)')
    if num_classes is not None and (not isinstance(num_classes, int)
                                    or num_classes <= 0):
        raise VideoListError(
            f'num_classes={num_classes!r}: must be a positive int or None')
    if not exists(ann_file):
        raise FileNotFoundError(
            f'annotation file {ann_file} not found; {hint}')
    shape = 'path label [label ...]' if multi_class else 'path [label]'
    data_list = []
    for number, line in enumerate(list_from_file(ann_file), start=1):
        text = line.strip()
        if not text:
            continue
        where = f'{ann_file}, line {number} ({text!r})'
        fields = text.split(delimiter)
        if not fields[0]:
            raise VideoListError(
                f'{where}: empty video path; each line must start with '
                'the path')
        if '' in fields:
            raise VideoListError(
                f'{where}: empty field; separate the fields with exactly '
                f'one {delimiter!r}')
        if multi_class:
            if len(fields) < 2:
                raise VideoListError(f'{where}: no label; expected {shape}')
            label = [_label(f, where, num_classes) for f in fields[1:]]
        elif len(fields) == 1:
            if num_classes is not None or require_label:
                needs = (f'num_classes={num_classes} is set'
                         if num_classes is not None else
                         'this dataset trains or evaluates a classifier')
                raise VideoListError(
                    f'{where}: no label, but {needs}; expected `path '
                    'label` (an integer class index)')
            label = -1
        elif len(fields) == 2:
            label = _label(fields[1], where, num_classes)
        else:
            raise VideoListError(
                f'{where}: {len(fields)} fields separated by {delimiter!r}; '
                f'expected {shape} (paths with the delimiter in them need '
                'another delimiter=)')
        filename = fields[0]
        if data_prefix:
            filename = osp.join(data_prefix, filename)
        data_list.append(dict(filename=filename, label=label))
    if not data_list:
        raise VideoListError(
            f'{ann_file} lists no videos (it is empty or only has blank '
            f'lines); write one `{shape}` line per video, or {hint}')
    return data_list
