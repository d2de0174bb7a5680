"""The data flags set every loader of a config; worker options stay valid;
labels are checked against the classifier head."""
import argparse

import pytest
from mmengine.config import Config

from rspnet_mm.cli.data_options import (
    add_data_arguments,
    apply_data_arguments,
    finish_data_config,
)
from rspnet_mm.datasets import VideoListError
from rspnet_mm.testing.recipes import REPO_ROOT

RETRIEVAL = str(REPO_ROOT / 'configs' / 'retrieval' /
                'retrieval_r18_ucf101.py')
FINETUNE = str(REPO_ROOT / 'configs' / 'finetune' / 'finetune_r18_ucf101.py')
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader',
           'gallery_dataloader')


def parse(splits, argv):
    parser = argparse.ArgumentParser()
    add_data_arguments(parser, splits)
    return parser.parse_args(argv)


def test_flags_set_every_loader_of_a_retrieval_config():
    cfg = Config.fromfile(RETRIEVAL)
    args = parse(('train', 'val', 'test'),
                 ['--data-root', '/me/videos', '--train-list', 'tr.txt',
                  '--val-list', 'va.txt', '--num-workers', '0',
                  '--batch-size', '3'])
    apply_data_arguments(cfg, args)
    finish_data_config(cfg, [])
    lists = {key: cfg[key].dataset.ann_file for key in LOADERS}
    # the test split follows --val-list when --test-list is not given
    assert lists == dict(train_dataloader='tr.txt', val_dataloader='va.txt',
                         test_dataloader='va.txt',
                         gallery_dataloader='tr.txt')
    for key in LOADERS:
        assert cfg[key].dataset.data_prefix.video == '/me/videos'
        assert cfg[key].num_workers == 0
        assert cfg[key].persistent_workers is False  # torch refuses True
        assert cfg[key].batch_size == 3


def test_test_list_and_num_classes():
    cfg = Config.fromfile(FINETUNE)
    args = parse(('train', 'val', 'test'),
                 ['--val-list', 'va.txt', '--test-list', 'te.txt',
                  '--num-classes', '7'])
    apply_data_arguments(cfg, args)
    finish_data_config(cfg, [])
    assert cfg.test_dataloader.dataset.ann_file == 'te.txt'
    assert cfg.val_dataloader.dataset.ann_file == 'va.txt'
    assert cfg.model.cls_head.num_classes == 7
    assert {cfg[k].dataset.num_classes for k in LOADERS[:3]} == {7}
    # no flag given: paths and workers as in the config
    untouched = Config.fromfile(FINETUNE)
    finish_data_config(apply_data_arguments(untouched, parse(('train', ),
                                                             [])), [])
    assert untouched.train_dataloader.dataset.ann_file.startswith(
        'data/ucf101/')
    assert untouched.train_dataloader.num_workers == 4
    assert untouched.train_dataloader.persistent_workers is True
    # the head's classes reach the datasets (the label check)
    assert untouched.train_dataloader.dataset.num_classes == 101


def test_dataset_data_root_is_replaced_not_joined():
    cfg = Config(dict(train_dataloader=dict(dataset=dict(
        type='RepeatDataset', times=2, dataset=dict(
            type='LabelledVideoDataset', data_root='/old', ann_file='l.txt',
            data_prefix=dict(video='v'))))))
    apply_data_arguments(cfg, parse(('train', ), ['--data-root', 'new']))
    inner = cfg.train_dataloader.dataset.dataset
    assert 'data_root' not in inner
    assert inner.data_prefix.video == 'new'
    assert inner.ann_file == '/old/l.txt'  # still the same list


def _plain_config(ann_file, num_classes=3):
    return Config(dict(
        model=dict(cls_head=dict(num_classes=num_classes)),
        test_dataloader=dict(num_workers=0, dataset=dict(
            type='VideoDataset', ann_file=str(ann_file),
            data_prefix=dict(video='')))))


@pytest.mark.parametrize('text, message', [
    ('a.mp4 0\nb.mp4 3\n', r'line 2 \(\'b.mp4 3\'\): label 3 is outside'),
    ('a.mp4 0\nb.mp4\n', r'line 2 \(\'b.mp4\'\): no label'),
    ('\n', 'lists no videos')])
def test_plain_video_dataset_lists_are_checked(tmp_path, text, message):
    ann = tmp_path / 'list.txt'
    ann.write_text(text)
    with pytest.raises(VideoListError, match=message):
        finish_data_config(_plain_config(ann), ['test_dataloader'])
    # a loader the tool does not run is not read
    finish_data_config(_plain_config(ann), ['train_dataloader'])


def test_bad_num_classes_flag():
    cfg = Config.fromfile(FINETUNE)
    with pytest.raises(ValueError, match='--num-classes 0'):
        apply_data_arguments(cfg, parse(('train', ), ['--num-classes', '0']))
