"""LoopProgressBarHook shows one bar per loop of a real run, counting its
iterations (train) or batches (test)."""
import re

from mmengine.config import Config
from mmengine.runner import Runner

from rspnet_mm.testing.recipes import TINY_RECOGNIZER_CONFIG


def test_bars_count_the_train_iterations_and_test_batches(
        tiny_video_set, tmp_path, capsys):
    cfg = Config.fromfile(TINY_RECOGNIZER_CONFIG)
    for loader in (cfg.train_dataloader, cfg.test_dataloader):
        loader.dataset.ann_file = tiny_video_set['ann_file']
        loader.dataset.data_prefix.video = tiny_video_set['root']
    cfg.work_dir = str(tmp_path / 'work')
    cfg.train_cfg.max_epochs = 1
    cfg.custom_hooks = [dict(type='LoopProgressBarHook')]
    runner = Runner.from_cfg(cfg)
    runner.train()
    train_err = capsys.readouterr().err
    runner.test()
    test_err = capsys.readouterr().err
    # 4 videos, batch 2: 2 train iterations, 2 test batches
    assert re.search(r'train: 100%\|[^|]*\| 2/2 \[.*(it/s|s/it)\]',
                     train_err)
    assert re.search(r'test: 100%\|[^|]*\| 2/2 \[.*(batch/s|s/batch)\]',
                     test_err)
    assert 'test' not in train_err and 'train' not in test_err


def test_custom_description():
    from rspnet_mm.engine.hooks import LoopProgressBarHook
    hook = LoopProgressBarHook(desc='finetune')
    assert hook.desc == 'finetune' and hook.priority == 'VERY_LOW'
