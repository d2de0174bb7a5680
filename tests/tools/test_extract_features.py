"""tools/extract_features.py: shards and index readable with numpy alone,
the same files after a kill and a resume, the same features from two
gloo processes as from one."""
import os
import socket
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config

from rspnet_mm.features import shards
from rspnet_mm.inference import build_model
from rspnet_mm.testing.recipes import REPO_ROOT, load_tool

CONFIG = str(REPO_ROOT / 'configs' / 'demo' / 'features_litec3d_synthetic.py')
TOOL = REPO_ROOT / 'tools' / 'extract_features.py'


def _args(motion_set, out, *extra):
    return [CONFIG, 'none', '--out', str(out), '--batch-size', '2',
            '--shard-size', '2', '--num-workers', '0', '--no-progress',
            *extra, '--cfg-options',
            f'test_dataloader.dataset.ann_file={motion_set["train_list"]}',
            f'test_dataloader.dataset.data_prefix.video={motion_set["root"]}',
            'model.backbone.channels=[8,16,16,16,16]',
            'model.cls_head.in_channels=16']


def _files(out):
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_files_hold_clip_features_means_and_the_index(tiny_motion_set,
                                                      tmp_path):
    out = tmp_path / 'one'
    features = load_tool('extract_features').main(_args(tiny_motion_set,
                                                        out))
    names = sorted(os.listdir(out))
    # 6 train videos in shards of 2: three shards of three files each
    assert names == sorted(['index.npz', 'run.json'] + [
        shards.shard_name(kind, s) for s in range(3)
        for kind in ('clips', 'counts', 'videos')])
    with np.load(out / 'index.npz', allow_pickle=False) as index:
        listed = [line.split() for line in
                  open(tiny_motion_set['train_list']).read().splitlines()]
        assert [os.path.relpath(p, tiny_motion_set['root'])
                for p in index['paths']] == [name for name, _ in listed]
        assert index['labels'].tolist() == [int(lab) for _, lab in listed]
        assert index['clip_counts'].tolist() == [4] * 6  # num_test_clips
        assert index['shard'].tolist() == [0, 0, 1, 1, 2, 2]
    clips = np.load(out / 'clips_00001.npy', allow_pickle=False)
    videos = np.load(out / 'videos_00001.npy', allow_pickle=False)
    assert clips.shape == (8, 16) and videos.shape == (2, 16)
    np.testing.assert_allclose(videos, clips.reshape(2, 4, 16).mean(1),
                               rtol=1e-6)
    assert features['videos'].shape == (6, 16)
    assert np.isfinite(features['clips']).all()
    assert features['clips'].std(0).max() > 0  # videos differ


def test_resume_after_a_kill_gives_the_files_of_one_run(tiny_motion_set,
                                                        tmp_path,
                                                        monkeypatch):
    tool = load_tool('extract_features')
    tool.main(_args(tiny_motion_set, tmp_path / 'one'))

    out = tmp_path / 'killed'
    real_save = shards.save_atomic
    calls = []

    def die_in_the_second_shard(path, array):
        calls.append(path)
        if len(calls) == 5:  # shard 1: clips written, counts half-way
            with open(path + '.tmp', 'wb') as f:
                f.write(b'half a file')
            raise KeyboardInterrupt('killed')
        real_save(path, array)

    monkeypatch.setattr(shards, 'save_atomic', die_in_the_second_shard)
    with pytest.raises(KeyboardInterrupt):
        tool.main(_args(tiny_motion_set, out))
    assert shards.shard_done(str(out), 0)
    assert not shards.shard_done(str(out), 1)
    assert not (out / 'index.npz').exists()
    with pytest.raises(FileNotFoundError, match='has not finished'):
        shards.load_features(str(out))
    monkeypatch.setattr(shards, 'save_atomic', real_save)
    before = (out / 'videos_00000.npy').stat().st_mtime_ns
    tool.main(_args(tiny_motion_set, out))
    assert (out / 'videos_00000.npy').stat().st_mtime_ns == before  # kept
    # the half-written temp file was written over and renamed
    assert set(_files(out)) == set(_files(tmp_path / 'one'))
    for name, data in _files(tmp_path / 'one').items():
        if name != 'run.json':
            assert _files(out)[name] == data, name


def test_a_changed_run_is_refused(tiny_motion_set, tmp_path):
    tool = load_tool('extract_features')
    tool.main(_args(tiny_motion_set, tmp_path))
    with pytest.raises(ValueError, match='another run .*shard_size'):
        tool.main(_args(tiny_motion_set, tmp_path, '--shard-size', '3'))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_two_gloo_processes_give_the_features_of_one(tiny_motion_set,
                                                     tmp_path):
    load_tool('extract_features').main(_args(tiny_motion_set,
                                             tmp_path / 'one'))
    env = dict(os.environ, OMP_NUM_THREADS='1', CUDA_VISIBLE_DEVICES='')
    proc = subprocess.run(
        [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node',
         '2', '--master_port', str(_free_port()), str(TOOL),
         *_args(tiny_motion_set, tmp_path / 'ddp', '--launcher',
                'pytorch')],
        env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    one = shards.load_features(str(tmp_path / 'one'))
    two = shards.load_features(str(tmp_path / 'ddp'))
    assert two['paths'].tolist() == one['paths'].tolist()
    for key in ('videos', 'clips'):
        np.testing.assert_allclose(two[key], one[key], rtol=1e-5,
                                   atol=1e-6)


def test_retrieval_from_feature_folders_equals_the_model_run(
        tiny_motion_set, tmp_path):
    config = str(REPO_ROOT / 'tests' / 'data' / 'configs' /
                 'tiny_retrieval.py')
    torch.manual_seed(0)
    checkpoint = str(tmp_path / 'model.pth')
    torch.save(dict(state_dict=build_model(Config.fromfile(config),
                                           None).state_dict()), checkpoint)
    data = ['--data-root', tiny_motion_set['root']]
    retrieval = load_tool('retrieval')
    run = retrieval.main([config, checkpoint, '--work-dir',
                          str(tmp_path / 'run'), *data, '--train-list',
                          tiny_motion_set['train_list'], '--test-list',
                          tiny_motion_set['val_list']])
    extract = load_tool('extract_features')
    for name, split in (('gallery', 'train_list'), ('query', 'val_list')):
        extract.main([config, checkpoint, '--out', str(tmp_path / name),
                      '--no-progress', *data, '--test-list',
                      tiny_motion_set[split]])
    from_files = retrieval.main([config, 'none', '--features',
                                 str(tmp_path / 'gallery'),
                                 str(tmp_path / 'query')])
    assert set(from_files) == {'retrieval/R@1', 'retrieval/R@2',
                               'retrieval/R@10'}
    assert from_files == pytest.approx(run)
