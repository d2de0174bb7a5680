"""Two real processes under torchrun (gloo, CPU) train and save."""
import os
import subprocess
import sys

import torch

from rspnet_mm.compat import DeviceAgnosticDDP
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


def test_set_device_is_harmless_without_cuda():
    assert not torch.cuda.is_available()
    torch.cuda.set_device(0)  # raised before the fix on CPU-only torch


def test_two_process_gloo_training_saves_a_checkpoint(tiny_video_set,
                                                      tmp_path):
    work = tmp_path / 'ddp'
    args = tiny_recognizer_args(tiny_video_set, work)
    env = dict(os.environ, PYTHON=sys.executable, PORT='29533',
               OMP_NUM_THREADS='1')
    proc = subprocess.run(
        ['bash', str(REPO_ROOT / 'tools' / 'dist_train.sh'),
         TINY_RECOGNIZER_CONFIG, '2', *args, 'train_cfg.max_epochs=1'],
        env=env, capture_output=True, text=True, timeout=300)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-3000:]
    assert 'Distributed launcher: pytorch' in log or 'world_size: 2' in log
    ckpt = torch.load(work / 'epoch_1.pth', weights_only=False)
    # 4 videos over 2 ranks with batch 2: one iteration each
    assert ckpt['meta']['iter'] == 1
    assert all(torch.isfinite(v).all() for v in ckpt['state_dict'].values()
               if v.is_floating_point())
