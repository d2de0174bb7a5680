"""Video list parsing: VideoDataset's format, errors naming file and line."""
import pytest

from rspnet_mm.datasets import VideoListError, parse_video_list


def write(tmp_path, text, name='list.txt'):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_labels_paths_and_prefix(tmp_path):
    ann = write(tmp_path, 'a.mp4 3\nsub/b.mp4\n\nc.mp4 0\n')
    assert parse_video_list(ann, data_prefix='/data') == [
        dict(filename='/data/a.mp4', label=3),
        dict(filename='/data/sub/b.mp4', label=-1),  # unlabelled
        dict(filename='/data/c.mp4', label=0),
    ]
    assert parse_video_list(ann)[0] == dict(filename='a.mp4', label=3)


def test_delimiter_and_multi_class(tmp_path):
    ann = write(tmp_path, 'a b.mp4,1,4\n')
    assert parse_video_list(ann, delimiter=',', multi_class=True,
                            num_classes=5) == [
                                dict(filename='a b.mp4', label=[1, 4])]


@pytest.mark.parametrize(
    'text, options, line, message',
    [('a.mp4 1\nb.mp4 1 2\n', {}, 2, '3 fields separated by'),
     ('a.mp4 one\n', {}, 1, "label 'one' is not an integer"),
     ('a.mp4 1\n\nb.mp4 5\n', dict(num_classes=5), 3,
      r'label 5 is outside \[0, 5\) \(num_classes=5\)'),
     ('a.mp4 -2\n', {}, 1, 'label -2 is negative'),
     ('a.mp4\n', dict(num_classes=2), 1, 'no label, but num_classes=2'),
     ('a.mp4  1\n', {}, 1, 'empty field'),
     (',1\n', dict(delimiter=','), 1, 'empty video path'),
     ('a.mp4\n', dict(multi_class=True, num_classes=3), 1, 'no label')])
def test_malformed_line_names_file_and_line(tmp_path, text, options, line,
                                            message):
    ann = write(tmp_path, text)
    with pytest.raises(VideoListError, match=message) as info:
        parse_video_list(ann, **options)
    assert f'{ann}, line {line} (' in str(info.value)


def test_missing_file_and_bad_options(tmp_path):
    with pytest.raises(FileNotFoundError, match='nowhere.txt not found'):
        parse_video_list(str(tmp_path / 'nowhere.txt'))
    ann = write(tmp_path, 'a.mp4 1\n')
    with pytest.raises(VideoListError, match='multi_class=True needs'):
        parse_video_list(ann, multi_class=True)
    with pytest.raises(VideoListError, match='num_classes=0'):
        parse_video_list(ann, num_classes=0)


@pytest.mark.parametrize('text', ['', '\n\n   \n'])
def test_empty_list_is_an_error(tmp_path, text):
    ann = write(tmp_path, text)
    with pytest.raises(VideoListError, match=f'{ann} lists no videos') as e:
        parse_video_list(ann)
    assert '--train-list' in str(e.value)  # what to do


def test_require_label_without_num_classes(tmp_path):
    ann = write(tmp_path, 'a.mp4 1\nb.mp4\n')
    with pytest.raises(VideoListError,
                       match=r"line 2 \('b.mp4'\): no label, but this "
                       'dataset trains or evaluates a classifier'):
        parse_video_list(ann, require_label=True)
    assert parse_video_list(ann)[1]['label'] == -1  # fine for pretraining
