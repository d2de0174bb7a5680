"""LabelledVideoDataset: the list of a finetune / test / retrieval dataset
is checked when the dataset is built (file, line, fix)."""
import pytest
from mmaction.registry import DATASETS

from rspnet_mm.datasets import LabelledVideoDataset, VideoListError

PIPELINE = [dict(type='DecordInit')]


def build(ann_file, **kwargs):
    return DATASETS.build(dict(type='LabelledVideoDataset',
                               ann_file=str(ann_file), pipeline=PIPELINE,
                               data_prefix=dict(video='/videos'), **kwargs))


def test_reads_labels_with_prefix(tmp_path):
    ann = tmp_path / 'list.txt'
    ann.write_text('a.mp4 2\nb/c.mp4 0\n')
    dataset = build(ann, num_classes=3)
    assert isinstance(dataset, LabelledVideoDataset)
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    assert [(d['filename'], d['label']) for d in infos] == [
        ('/videos/a.mp4', 2), ('/videos/b/c.mp4', 0)]


@pytest.mark.parametrize(
    'text, options, message',
    [('a.mp4 0\nb.mp4 99\n', dict(num_classes=10),
      r"line 2 \('b.mp4 99'\): label 99 is outside \[0, 10\)"),
     ('a.mp4 0\nb.mp4\n', {}, r"line 2 \('b.mp4'\): no label"),
     ('a.mp4 0\nb.mp4 -1\n', {}, r"line 2 \('b.mp4 -1'\): label -1 is "
      'negative')])
def test_bad_line_fails_at_build_time(tmp_path, text, options, message):
    ann = tmp_path / 'list.txt'
    ann.write_text(text)
    with pytest.raises(VideoListError, match=message) as info:
        build(ann, **options)
    assert str(info.value).startswith(f'{ann}, line 2')


def test_empty_list_fails_at_build_time(tmp_path):
    ann = tmp_path / 'list.txt'
    ann.write_text('\n')
    with pytest.raises(VideoListError, match='lists no videos'):
        build(ann, test_mode=True)
