"""Bad input at the training level: a short pretraining run of the demo
config over a list with broken videos keeps going and logs them; too many
broken videos stop it; a speed set the sampler cannot serve is refused."""
import gc
import shutil

import pytest
import torch
from mmaction.registry import DATASETS
from mmengine.config import Config
from mmengine.registry import init_default_scope

from rspnet_mm.datasets import TooManyBrokenVideosError
from rspnet_mm.testing.broken_videos import write_broken_videos
from rspnet_mm.testing.recipes import REPO_ROOT, load_tool

TINY_RSPNET_CONFIG = str(REPO_ROOT / 'tests' / 'data' / 'configs' /
                         'tiny_rspnet_synthetic.py')
DEMO_CONFIG = str(REPO_ROOT / 'configs' / 'rspnet_litec3d_synthetic.py')
BROKEN = ['missing.mp4', 'random.mp4', 'truncated.mp4', 'no_frames.mp4']


@pytest.fixture(scope='module')
def mixed_list(tmp_path_factory):
    """Eight 32 px synthetic clips of 6-12 frames (some shorter than the
    8-frame window: looped) and four broken files, in one list."""
    from rspnet_mm import synthetic as sm
    out = tmp_path_factory.mktemp('mixed')
    cfg = sm.SyntheticMotionConfig(n_clips=8, val_fraction=0.0, size=32,
                                   min_frames=6, max_frames=12, seed=4,
                                   rspnet_window=0)
    sm.generate_dataset(cfg, out)
    root = out / 'videos'
    broken = write_broken_videos(out / 'broken')
    for name in BROKEN:
        if broken[name].exists():
            shutil.copy(broken[name], root / 'train' / name)
    lines = (out / 'train_list.txt').read_text().splitlines()
    lines += [f'train/{name} 0' for name in BROKEN]
    ann = out / 'mixed_list.txt'
    ann.write_text('\n'.join(lines) + '\n')
    return dict(ann_file=str(ann), root=str(root),
                broken=[str(root / 'train' / n) for n in BROKEN])


def train_args(data, work_dir, *options):
    return [TINY_RSPNET_CONFIG, '--work-dir', str(work_dir),
            '--cfg-options',
            f'train_dataloader.dataset.ann_file={data["ann_file"]}',
            f'train_dataloader.dataset.data_prefix.video={data["root"]}',
            'train_cfg.max_iters=3', 'train_dataloader.num_workers=2',
            *options]


def test_run_skips_broken_videos_and_logs_them(mixed_list, tmp_path,
                                               monkeypatch):
    work = tmp_path / 'work'
    load_tool('train').main(train_args(
        mixed_list, work,
        'train_dataloader.dataset.max_broken_fraction=0.6'))
    # The finished runner's persistent workers (InfiniteSampler) do not
    # exit on shutdown: torch waits 5 s for each before terminating it.
    # Pay a shorter wait here rather than in a later test.
    monkeypatch.setattr(torch.utils.data._utils, 'MP_STATUS_CHECK_INTERVAL',
                        0.2)
    gc.collect()
    assert (work / 'iter_3.pth').is_file()
    log = next(work.glob('*/*.log')).read_text()  # workers write here too
    lines = [ln for ln in log.splitlines() if 'skipping broken video' in ln]
    for path in mixed_list['broken']:
        assert sum(f'skipping broken video {path} (' in ln
                   for ln in lines) <= 1, f'{path} logged twice'
    assert lines, 'no broken video was logged'
    assert all('loads failed so far' in ln and 'broken files)' in ln
               for ln in lines)
    assert any(p in log for p in mixed_list['broken'])


def test_run_stops_above_max_broken_fraction(mixed_list, tmp_path):
    args = train_args(mixed_list, tmp_path / 'work',
                      'train_dataloader.dataset.max_broken_fraction=0.05',
                      'train_dataloader.num_workers=0')
    with pytest.raises(TooManyBrokenVideosError) as info:
        load_tool('train').main(args)
    message = str(info.value)
    assert 'more than max_broken_fraction=0.05 allows' in message
    assert 'tools/check_videos.py' in message
    assert mixed_list['ann_file'] in message


@pytest.mark.parametrize('sampler, message', [
    (dict(speeds=(2, )), r'speeds=\(2,\): need at least two'),
    (dict(clip_len=1), 'clip_len=1: must be an int >= 2'),
])
def test_demo_config_refuses_a_speed_set_it_cannot_serve(sampler, message):
    cfg = Config.fromfile(DEMO_CONFIG)
    dataset = cfg.train_dataloader.dataset
    dataset.pipeline[0].update(sampler)
    dataset.update(ann_file=DEMO_CONFIG, lazy_init=True)
    init_default_scope('mmaction')
    with pytest.raises(ValueError, match=message):
        DATASETS.build(dataset)
