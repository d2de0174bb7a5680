"""configs/rspnet_r18_k400_rawframes.py trains from extracted frames."""
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from rspnet_mm.synthetic import SyntheticMotionConfig, generate_dataset
from rspnet_mm.testing.recipes import REPO_ROOT, load_tool


def test_rawframes_config_matches_the_video_recipe():
    frames = Config.fromfile(
        str(REPO_ROOT / 'configs' / 'rspnet_r18_k400_rawframes.py'))
    videos = Config.fromfile(str(REPO_ROOT / 'configs' /
                                 'rspnet_r18_k400.py'))
    dataset = frames.train_dataloader.dataset
    assert dataset.type == 'SkipBrokenRawframeDataset'
    assert dataset.data_prefix == dict(img='data/kinetics400/rawframes_train')
    assert dataset.filename_tmpl == 'img_{:05}.jpg'
    assert dataset.pipeline == videos.train_dataloader.dataset.pipeline
    assert frames.model == videos.model
    assert frames.optim_wrapper == videos.optim_wrapper


def test_rawframes_config_trains_one_iteration(tmp_path):
    data = tmp_path / 'data'
    generate_dataset(SyntheticMotionConfig(n_clips=2, val_fraction=0.0,
                                           size=64, seed=1), data)
    frames = tmp_path / 'rawframes'
    assert load_tool('data/extract_frames').main([
        str(data / 'train_list.txt'), '--data-prefix', str(data / 'videos'),
        '--out', str(frames), '--out-list', str(frames / 'list.txt'),
        '--workers', '0']) == 0
    cfg = Config.fromfile(
        str(REPO_ROOT / 'configs' / 'rspnet_r18_k400_rawframes.py'))
    cfg.merge_from_dict({
        'train_dataloader.dataset.ann_file': str(frames / 'list.txt'),
        'train_dataloader.dataset.data_prefix.img': str(frames),
        'train_dataloader.batch_size': 2,
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'train_cfg.max_epochs': 1,
        'env_cfg.dist_cfg.backend': 'gloo',
    })
    # 56 px crops instead of 112 keep the CPU step short; the rest is the
    # config as shipped.
    cfg.train_dataloader.dataset.pipeline[1]['size'] = 56
    cfg.work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    first = next(runner.model.backbone.parameters())
    before = first.detach().clone()
    runner.train()
    assert runner.iter == 1
    assert int(runner.model.queue_ptr) == 2
    dataset = runner.train_dataloader.dataset
    assert dataset.broken_counts()['broken'] == 0
    sample = dataset[0]
    assert tuple(sample['inputs'].shape) == (3, 3, 16, 56, 56)
    losses = runner.message_hub.log_scalars
    for key in ('train/loss_rsp', 'train/loss_avid'):
        assert torch.isfinite(torch.tensor(losses[key].current()))
    assert not torch.equal(before, first.detach())
