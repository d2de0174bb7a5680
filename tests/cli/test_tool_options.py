"""Shared tool options: --cfg-options comes after the data flags, and a
loader left without workers by either stays valid for torch."""
import argparse
import os

from mmengine.config import Config

from rspnet_mm.cli import apply_tool_options, parse_tool_args
from rspnet_mm.testing.recipes import REPO_ROOT

FINETUNE = str(REPO_ROOT / 'configs' / 'finetune' / 'finetune_r18_ucf101.py')


def test_cfg_options_win_and_zero_workers_need_no_second_option(
        monkeypatch):
    monkeypatch.delenv('LOCAL_RANK', raising=False)
    args = parse_tool_args(
        argparse.ArgumentParser(),
        ['--train-list', 'flag.txt', '--launcher', 'pytorch',
         '--local-rank', '3', '--cfg-options',
         'train_dataloader.dataset.ann_file=option.txt',
         'val_dataloader.num_workers=0'], ('train', 'val'))

    assert os.environ['LOCAL_RANK'] == '3'
    cfg = apply_tool_options(Config.fromfile(FINETUNE), args, [])
    assert cfg.launcher == 'pytorch'
    assert cfg.train_dataloader.dataset.ann_file == 'option.txt'
    assert cfg.val_dataloader.num_workers == 0
    assert cfg.val_dataloader.persistent_workers is False
    assert cfg.train_dataloader.persistent_workers is True  # 4 workers
