"""DDP on CPU: the wrapper drops ``device_ids`` for CPU modules, the
``set_device`` fix only acts without CUDA, and two real processes under
torchrun train and save with a config that asks for NCCL (the runner picks
gloo when no CUDA is visible)."""
import os
import subprocess
import sys

import torch

from rspnet_mm.compat import DeviceAgnosticDDP, cpu_distributed
from rspnet_mm.testing.recipes import (
    REPO_ROOT,
    TINY_RECOGNIZER_CONFIG,
    tiny_recognizer_args,
)


def test_wrapper_drops_device_ids_only_for_cpu_modules(monkeypatch):
    captured = {}

    def fake_init(self, module, device_ids=None, **kwargs):
        captured['device_ids'] = device_ids

    from mmengine.model import MMDistributedDataParallel
    monkeypatch.setattr(MMDistributedDataParallel, '__init__', fake_init)
    DeviceAgnosticDDP(torch.nn.Linear(2, 2), device_ids=[0])
    assert captured['device_ids'] is None


def test_set_device_is_skipped_only_without_cuda(monkeypatch):
    calls = []
    monkeypatch.setattr(cpu_distributed, '_original_set_device',
                        calls.append)
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    cpu_distributed._set_device_if_cuda(0)  # raised on CPU-only torch
    assert calls == []
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    cpu_distributed._set_device_if_cuda(1)
    assert calls == [1]


def test_patch_is_installed_exactly_when_cuda_is_missing():
    installed = torch.cuda.set_device is cpu_distributed._set_device_if_cuda
    assert installed == (not torch.cuda.is_available())
    assert cpu_distributed.apply() is False  # applied once, at import


def test_two_process_training_without_cuda_picks_gloo(tiny_video_set,
                                                       tmp_path):
    work = tmp_path / 'ddp'
    args = tiny_recognizer_args(tiny_video_set, work)
    env = dict(os.environ, PYTHON=sys.executable, PORT='29533',
               OMP_NUM_THREADS='1', CUDA_VISIBLE_DEVICES='')
    proc = subprocess.run(
        ['bash', str(REPO_ROOT / 'tools' / 'dist_train.sh'),
         TINY_RECOGNIZER_CONFIG, '2', *args, 'train_cfg.max_epochs=1',
         'env_cfg.dist_cfg.backend=nccl'],
        env=env, capture_output=True, text=True, timeout=300)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-3000:]
    assert output.count('No CUDA on this machine: the distributed backend '
                        'is gloo instead of nccl') == 2  # once per rank
    log = next(work.glob('*/*.log')).read_text()
    assert 'Distributed launcher: pytorch' in log
    assert 'Distributed training: True' in log
    ckpt = torch.load(work / 'epoch_1.pth', weights_only=False)
    # 4 videos over 2 ranks with batch 2: one iteration each
    assert ckpt['meta']['iter'] == 1
    assert all(torch.isfinite(v).all() for v in ckpt['state_dict'].values()
               if v.is_floating_point())
