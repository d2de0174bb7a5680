import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import torch

WORKER = Path(__file__).with_name('ddp_worker.py')
WORLD = 2
BATCH = 2  # per rank, as in ddp_worker.py
STEPS = 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _launch(out_dir: Path, timeout: float = 180.0) -> list:
    """Run the ranks; stop them all as soon as one fails."""
    env = dict(os.environ, MASTER_ADDR='127.0.0.1',
               MASTER_PORT=str(_free_port()), WORLD_SIZE=str(WORLD),
               OMP_NUM_THREADS='1', CUDA_VISIBLE_DEVICES='')
    logs = [out_dir / f'rank{r}.log' for r in range(WORLD)]
    procs = []
    for r in range(WORLD):
        with open(logs[r], 'w') as log:
            procs.append(subprocess.Popen(
                [sys.executable, str(WORKER), str(out_dir)],
                env=dict(env, RANK=str(r), LOCAL_RANK=str(r)),
                stdout=log, stderr=subprocess.STDOUT))
    deadline = time.monotonic() + timeout
    try:
        while any(p.poll() is None for p in procs):
            if any(p.poll() not in (None, 0) for p in procs):
                break  # the other rank would wait for it forever
            assert time.monotonic() < deadline, f'ranks ran over {timeout} s'
            time.sleep(0.2)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    failed = [f'rank {r} exited with {p.returncode}:\n'
              f'{logs[r].read_text()[-3000:]}'
              for r, p in enumerate(procs) if p.returncode != 0]
    assert not failed, '\n'.join(failed)
    return [torch.load(out_dir / f'rank{r}.pt') for r in range(WORLD)]


def test_two_process_gloo_training(tmp_path):
    ranks = _launch(tmp_path)
    r0, r1 = ranks

    # every step completes with finite losses
    for seen in ranks:
        assert len(seen['losses']) == STEPS
        for log_vars in seen['losses']:
            assert {'loss_rsp', 'loss_avid'} <= set(log_vars)
            assert all(torch.isfinite(torch.tensor(v))
                       for v in log_vars.values())

    # the queue is identical on both ranks and holds both ranks' k- keys
    assert torch.equal(r0['queue'], r1['queue'])
    per_step = WORLD * BATCH
    assert r0['queue_ptr'].tolist() == [STEPS * per_step]
    assert r1['queue_ptr'].tolist() == r0['queue_ptr'].tolist()
    for step in range(STEPS):
        for rank, seen in enumerate(ranks):
            start = step * per_step + rank * BATCH
            keys = seen['enqueued'][step]
            assert keys.shape == (BATCH, 128)
            torch.testing.assert_close(
                r0['queue'][:, start:start + BATCH], keys.T)
    assert not torch.allclose(r0['enqueued'][0], r1['enqueued'][0])

    # shuffle-BN ran: one shared permutation of the global batch per key
    # forward (k- and k+ per step)
    assert len(r0['perms']) == len(r1['perms']) == 2 * STEPS
    for p0, p1 in zip(r0['perms'], r1['perms']):
        assert torch.equal(p0, p1)
        assert sorted(p0.tolist()) == list(range(per_step))
    assert any(not torch.equal(p, torch.arange(per_step))
               for p in r0['perms'])

    # DDP kept both encoders in sync
    assert torch.equal(r0['query'], r1['query'])
    assert torch.equal(r0['key'], r1['key'])

    # the helpers hand each rank a slice of the global batch and undo it
    gathered = torch.cat([s['helpers']['x'] for s in ranks])
    shuffled = torch.cat([s['helpers']['shuffled'] for s in ranks])
    idx_shuffle = torch.argsort(r0['helpers']['idx_unshuffle'])
    assert torch.equal(shuffled, gathered[idx_shuffle])
    for seen in ranks:
        assert torch.equal(seen['helpers']['back'], seen['helpers']['x'])
