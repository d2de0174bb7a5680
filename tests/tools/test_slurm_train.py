"""tools/slurm_train.sh's batch script, run for real with stand-ins for
Slurm's ``srun`` (runs the command) and ``scontrol`` (records it): SIGUSR1
before the time limit makes the run save and stop and the job requeue
itself; the requeued job resumes and finishes."""
import json
import os
import signal
import subprocess
import sys
import time

from rspnet_mm.compat import load_checkpoint_file
from rspnet_mm.testing.recipes import (
    REPO_ROOT,
    TINY_RECOGNIZER_CONFIG,
    tiny_recognizer_args,
)

ITERS = 12  # 4 videos, batch 1, 3 epochs


def fake_slurm(bin_dir, log):
    bin_dir.mkdir()
    (bin_dir / 'srun').write_text(
        '#!/usr/bin/env bash\nwhile [[ $1 == --* ]]; do shift; done\n'
        'exec "$@"\n')
    (bin_dir / 'scontrol').write_text(
        f'#!/usr/bin/env bash\necho "$@" >> {log}\n')
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)


def logged_iter(work):
    iters = [0]
    for path in work.glob('*/vis_data/scalars.json'):
        for line in path.read_text().splitlines():
            try:
                iters.append(json.loads(line).get('iter', 0))
            except ValueError:
                pass
    return max(iters)


def test_dry_run_shows_the_requeue_options(tmp_path):
    out = subprocess.run(
        ['bash', str(REPO_ROOT / 'tools' / 'slurm_train.sh'), 'gpu', 'job',
         'configs/rspnet_s3dg_k400.py', '--work-dir', 'w w'],
        env=dict(os.environ, DRY_RUN='1'), capture_output=True, text=True,
        check=True).stdout
    assert ('tools/train.py configs/rspnet_s3dg_k400.py --launcher slurm '
            '--resume --work-dir w\\ w &') in out
    script = (REPO_ROOT / 'tools' / 'slurm_train.sh').read_text()
    assert '--requeue --signal=B:USR1@"$SIGNAL_LEAD"' in script


def test_sigusr1_saves_stops_and_requeues_then_the_job_resumes(
        tiny_video_set, tmp_path):
    calls = tmp_path / 'scontrol.log'
    fake_slurm(tmp_path / 'bin', calls)
    work = tmp_path / 'work'
    env = dict(os.environ, DRY_RUN='1', PYTHON=sys.executable,
               LAUNCHER='none', SLURM_JOB_ID='4242', OMP_NUM_THREADS='1',
               PATH=f'{tmp_path / "bin"}:{os.environ["PATH"]}')
    batch = tmp_path / 'batch.sh'
    batch.write_text(subprocess.run(
        ['bash', str(REPO_ROOT / 'tools' / 'slurm_train.sh'), 'gpu', 'job',
         TINY_RECOGNIZER_CONFIG, *tiny_recognizer_args(tiny_video_set, work),
         'train_dataloader.batch_size=1', 'train_cfg.max_epochs=3',
         'train_cfg.type=ResumableEpochBasedTrainLoop',
         'train_dataloader.sampler.type=ResumableSampler'],
        env=env, capture_output=True, text=True, check=True).stdout)

    job = subprocess.Popen(['bash', str(batch)], env=env, cwd=tmp_path,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
    deadline = time.monotonic() + 300
    while (logged_iter(work) < 2 and job.poll() is None
           and time.monotonic() < deadline):
        time.sleep(0.01)
    job.send_signal(signal.SIGUSR1)  # Slurm: SIGNAL_LEAD s before the limit
    output, _ = job.communicate(timeout=120)
    assert job.returncode == 0, output[-3000:]
    assert 'SIGUSR1: checkpoint, stop, requeue' in output
    assert calls.read_text() == 'requeue 4242\n'
    stopped_at = load_checkpoint_file(str(work / 'latest.pth'))['meta'][
        'iter']
    assert 2 <= stopped_at < ITERS
    assert 'SIGUSR1: saved' in output and not (work / 'epoch_3.pth').exists()

    rerun = subprocess.run(['bash', str(batch)], env=env, cwd=tmp_path,
                           capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stdout[-3000:]
    assert f'resumed epoch: {stopped_at // 4}, iter: {stopped_at}' in (
        rerun.stdout)
    final = load_checkpoint_file(str(work / 'epoch_3.pth'))
    assert final['meta']['iter'] == ITERS
    assert calls.read_text() == 'requeue 4242\n'  # finished: no requeue
