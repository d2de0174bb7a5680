
import numpy as np
import pytest

from rspnet_mm.testing.recipes import (
    REPO_ROOT,
    TINY_RECOGNIZER_CONFIG,
    load_tool,
    tiny_recognizer_args,
)

TINY_RETRIEVAL_CONFIG = str(REPO_ROOT / 'tests' / 'data' / 'configs' /
                            'tiny_retrieval.py')


def test_retrieval_tool_caches_gallery_and_finds_each_video(
        tiny_video_set, tmp_path, capsys):
    train = load_tool('train')
    work = tmp_path / 'train'
    args = tiny_recognizer_args(tiny_video_set, work)
    train.main([TINY_RECOGNIZER_CONFIG, *args, 'train_cfg.max_epochs=1'])
    ckpt = str(work / 'epoch_1.pth')

    retrieval = load_tool('retrieval')
    out = tmp_path / 'retrieval'
    capsys.readouterr()
    argv = [TINY_RETRIEVAL_CONFIG, ckpt, '--work-dir', str(out),
            '--data-root', tiny_video_set['root'],
            '--train-list', tiny_video_set['ann_file'],
            '--test-list', tiny_video_set['ann_file']]
    metrics = retrieval.main(argv)
    # queries = gallery videos through the same deterministic pipeline:
    # every video finds itself first
    assert metrics['retrieval/R@1'] == pytest.approx(100.0)
    printed = capsys.readouterr()
    assert '| R@1 | R@2 | R@10 |' in printed.out
    # the table and little else: no config dump, no gallery leave-one-out
    assert 'gallery/R@' not in printed.out and 'Config:' not in printed.out
    assert len(printed.out.splitlines()) < 25, printed.out
    caches = list(out.glob('gallery_*.npz'))
    assert len(caches) == 1
    with np.load(caches[0]) as cached:
        assert cached['features'].shape == (4, 16)
        assert sorted(cached['labels'].tolist()) == [0, 0, 1, 1]
    mtime = caches[0].stat().st_mtime_ns
    retrieval.main(argv)  # second run reads the cache
    assert caches[0].stat().st_mtime_ns == mtime


def test_retrieval_tool_needs_a_retrieval_config(tmp_path):
    retrieval = load_tool('retrieval')
    ckpt = tmp_path / 'c.pth'
    ckpt.write_bytes(b'')
    with pytest.raises(KeyError, match='configs/retrieval'):
        retrieval.main([TINY_RECOGNIZER_CONFIG, str(ckpt)])
