"""The video dataset of finetuning, linear probes, retrieval and testing."""
from mmaction.registry import DATASETS

from .skip_broken_video_dataset import SkipBrokenVideoDataset
from .video_list import parse_video_list


@DATASETS.register_module()
class LabelledVideoDataset(SkipBrokenVideoDataset):
    """A :class:`SkipBrokenVideoDataset` whose every video has a class label.

    MMAction2's ``VideoDataset`` reads ``path label`` lines without checks:
    a label outside the classifier's classes fails deep in the loss
    (``IndexError: Target 99 is out of bounds``), a line without a label
    with a bare ``ValueError`` and an empty list with ``need at least one
    array to concatenate``. This dataset checks the whole list when it is
    built, before the first iteration, and names the file, the line and
    what to do: every line needs an integer label, in ``[0, num_classes)``
    when ``num_classes`` is given (the project's tools set it from
    ``model.cls_head.num_classes``), and the list needs at least one video.

    Broken videos are skipped in training and counted (see
    :class:`SkipBrokenVideoDataset`); in test mode every video must load.

    Args:
        ann_file (str): ``path label`` list.
        pipeline (list): Data transforms.
        **kwargs: Everything else of :class:`SkipBrokenVideoDataset`
            (``num_classes``, ``data_prefix``, ``max_broken_fraction``,
            ...).
    """

    def load_data_list(self) -> list:
        """Read the list; every line must have a label."""
        return parse_video_list(
            self.ann_file, data_prefix=self.data_prefix.get('video'),
            delimiter=self.delimiter, multi_class=self.multi_class,
            num_classes=self.num_classes, require_label=True)
