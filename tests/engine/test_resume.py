"""A pretraining run killed mid-run and resumed with ``--resume`` ends where
an uninterrupted run ends: same query and key encoders, queue, queue
pointer, optimizer and LR schedule state, and the same losses."""
import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
import torch
from mmaction.datasets import VideoDataset

from rspnet_mm.compat import load_checkpoint_file
from rspnet_mm.engine.checkpoint_files import find_latest_complete_checkpoint
from rspnet_mm.testing.recipes import REPO_ROOT, load_tool

TINY_RSPNET_CONFIG = str(REPO_ROOT / 'tests' / 'data' / 'configs' /
                         'tiny_rspnet_synthetic.py')
MAX_ITERS = 4
#: Long enough that SIGTERM, sent once iteration 2 is logged, always comes
#: before the run ends by itself (4 iterations raced it on an idle machine).
SIGTERM_ITERS = 30


@pytest.fixture(scope='module')
def motion_set(tmp_path_factory):
    """Eight 32 px synthetic motion clips of 6-12 frames and their list."""
    from rspnet_mm import synthetic as sm
    out = tmp_path_factory.mktemp('motion')
    cfg = sm.SyntheticMotionConfig(n_clips=8, val_fraction=0.0, size=32,
                                   min_frames=6, max_frames=12, seed=3,
                                   rspnet_window=0)
    sm.generate_dataset(cfg, out)
    return dict(ann_file=str(out / 'train_list.txt'),
                root=str(out / 'videos'))


def train_args(data, work_dir, *options, max_iters=MAX_ITERS):
    return [TINY_RSPNET_CONFIG, '--work-dir', str(work_dir),
            '--cfg-options',
            f'train_dataloader.dataset.ann_file={data["ann_file"]}',
            f'train_dataloader.dataset.data_prefix.video={data["root"]}',
            f'train_cfg.max_iters={max_iters}', *options]


def logged_losses(work_dir):
    """``{iter: loss}`` from the newest run's ``scalars.json``."""
    run = sorted(p for p in work_dir.iterdir() if p.is_dir())[-1]
    records = [json.loads(line) for line in
               (run / 'vis_data' / 'scalars.json').read_text().splitlines()]
    return {r['iter']: (r['loss'], r['loss_rsp'], r['loss_avid'])
            for r in records if 'loss' in r}


def start_killed_run(args, work_dir):
    """Start tools/train.py in a subprocess and a thread that SIGKILLs it
    as soon as a checkpoint exists.

    Returns:
        Callable[[], int]: Waits for the kill; returns the iteration of the
        checkpoint the run left.
    """
    proc = subprocess.Popen(
        [sys.executable, str(REPO_ROOT / 'tools' / 'train.py'), *args],
        cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def kill_at_first_checkpoint():
        deadline = time.monotonic() + 300
        while (not list(work_dir.glob('iter_*.pth')) and proc.poll() is None
               and time.monotonic() < deadline):
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)

    watcher = threading.Thread(target=kill_at_first_checkpoint, daemon=True)
    watcher.start()

    def wait():
        watcher.join()
        proc.wait(timeout=60)
        assert proc.returncode == -signal.SIGKILL, 'the run was not killed'
        # what --resume will pick (the kill may come between writing the
        # checkpoint and last_checkpoint)
        last = find_latest_complete_checkpoint(str(work_dir))
        return int(last.rsplit('iter_', 1)[1].split('.')[0])

    return wait


def test_killed_run_resumes_to_the_same_state(motion_set, tmp_path):
    train = load_tool('train')
    killed, full = tmp_path / 'killed', tmp_path / 'full'
    wait_for_kill = start_killed_run(train_args(motion_set, killed), killed)
    train.main(train_args(motion_set, full))  # meanwhile, uninterrupted
    left_at = wait_for_kill()
    assert 2 <= left_at < MAX_ITERS, 'the run was not killed mid-run'
    train.main([*train_args(motion_set, killed), '--resume'])

    expected = load_checkpoint_file(str(full / f'iter_{MAX_ITERS}.pth'))
    resumed = load_checkpoint_file(str(killed / f'iter_{MAX_ITERS}.pth'))
    assert resumed['meta']['iter'] == MAX_ITERS
    assert 'rng_state' in resumed  # RNGStateHook (tiny config)
    state, ref = resumed['state_dict'], expected['state_dict']
    assert state.keys() == ref.keys()
    for key in ('queue_ptr', 'key_encoder.steps'):
        assert torch.equal(state[key], ref[key]), key
    for key in ref:  # query and key encoders, heads, BN statistics, queue
        torch.testing.assert_close(state[key], ref[key], rtol=1e-5,
                                   atol=1e-6, msg=key)
    assert int(ref['key_encoder.steps']) == MAX_ITERS
    momentum = [s['momentum_buffer'] for s in
                resumed['optimizer']['state'].values()]
    momentum_ref = [s['momentum_buffer'] for s in
                    expected['optimizer']['state'].values()]
    assert len(momentum) == len(momentum_ref) > 0
    for got, want in zip(momentum, momentum_ref):
        torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6)
    assert resumed['param_schedulers'] == expected['param_schedulers']
    assert resumed['optimizer']['param_groups'][0]['lr'] == pytest.approx(
        expected['optimizer']['param_groups'][0]['lr'])

    # the resumed run logs the iterations after the checkpoint, with the
    # losses of the uninterrupted run
    losses, losses_ref = logged_losses(killed), logged_losses(full)
    assert sorted(losses) == list(range(left_at + 1, MAX_ITERS + 1))
    for it, values in losses.items():
        assert values == pytest.approx(losses_ref[it], rel=1e-5, abs=1e-6)


def latest_logged_iter(work_dir):
    """The newest iteration in any run's ``scalars.json`` (0 for none)."""
    iters = [0]
    for path in work_dir.glob('*/vis_data/scalars.json'):
        for line in path.read_text().splitlines():
            try:
                iters.append(json.loads(line).get('iter', 0))
            except ValueError:
                pass  # being written
    return max(iters)


def test_sigterm_saves_and_resume_continues_from_that_iteration(
        motion_set, tmp_path, monkeypatch):
    """tools/train.py as a real subprocess with two DataLoader workers,
    stopped mid-run by SIGTERM to its whole process group (as Slurm signals
    every process of a step, workers included); no milestone checkpoint is
    due. The resume loads only the samples of the remaining iterations."""
    work = tmp_path / 'work'
    args = train_args(motion_set, work, 'default_hooks.checkpoint.interval=99',
                      'train_dataloader.num_workers=2',
                      'train_dataloader.persistent_workers=True',
                      max_iters=SIGTERM_ITERS)
    proc = subprocess.Popen(
        [sys.executable, str(REPO_ROOT / 'tools' / 'train.py'), *args],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True)
    deadline = time.monotonic() + 300
    while (latest_logged_iter(work) < 2 and proc.poll() is None
           and time.monotonic() < deadline):
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGTERM)
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, output[-3000:]
    assert (work / 'latest.pth').is_file(), output[-3000:]
    latest = load_checkpoint_file(str(work / 'latest.pth'))
    stopped_at = latest['meta']['iter']
    assert 2 <= stopped_at < SIGTERM_ITERS, 'SIGTERM did not come mid-run'
    assert (f'SIGTERM: saved {work / "latest.pth"} after iteration '
            f'{stopped_at}; training stops') in output
    assert not list(work.glob('iter_*.pth'))  # only the signal's save

    loaded = []
    real_getitem = VideoDataset.__getitem__
    monkeypatch.setattr(VideoDataset, '__getitem__', lambda self, idx: (
        loaded.append(idx), real_getitem(self, idx))[1])
    load_tool('train').main([*args, 'train_dataloader.num_workers=0',
                             'train_dataloader.persistent_workers=False',
                             '--resume'])  # in-process loads are counted
    assert len(loaded) == 4 * (SIGTERM_ITERS - stopped_at)  # batch 4
    assert sorted(logged_losses(work)) == list(
        range(stopped_at + 1, SIGTERM_ITERS + 1))
    final = load_checkpoint_file(str(work / f'iter_{SIGTERM_ITERS}.pth'))
    assert final['meta']['iter'] == SIGTERM_ITERS
    assert int(final['state_dict']['key_encoder.steps']) == SIGTERM_ITERS
