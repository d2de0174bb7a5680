"""One rank of tests/distributed/test_rspnet_ddp.py (not a test itself).

Run with RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT set, and
the output folder as the only argument. Uses gloo on CPU and NCCL when
CUDA is available; writes what it saw to ``<out>/rank<r>.pt``.
"""
import os
import sys

import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.dist import get_rank, init_dist
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope

import rspnet_mm  # noqa: F401  (upstream fixes, registration)
import rspnet_mm.models.recognizers.rspnet as rspnet_module
from rspnet_mm.compat import DeviceAgnosticDDP
from rspnet_mm.models.utils import batch_shuffle_ddp, batch_unshuffle_ddp

BATCH = 2  # per rank
STEPS = 3
MODEL = dict(
    type='RSPNet',
    backbone=dict(type='ResNet3d', depth=18, pretrained=None,
                  pretrained2d=False, base_channels=8),
    rsp_head=dict(type='RSPHead', in_channels=64, proj_type='mlp'),
    avid_head=dict(type='AVIDHead', in_channels=64, proj_type='mlp'),
    queue_len=16,
    data_preprocessor=dict(type='ActionDataPreprocessor',
                           format_shape='NCTHW', mean=[128.0] * 3,
                           std=[64.0] * 3))


def make_batch(rank: int, step: int) -> dict:
    """Different clips on every rank and step."""
    g = torch.Generator().manual_seed(1000 * rank + step)
    inputs = [torch.randint(0, 256, (3, 3, 8, 16, 16), generator=g,
                            dtype=torch.uint8) for _ in range(BATCH)]
    samples = [ActionDataSample(speeds=torch.tensor([s, s, 3 - s]))
               for s in (1, 2)]
    return dict(inputs=inputs, data_samples=samples)


def check_shuffle_helpers(device: torch.device) -> dict:
    """Round trip of the shuffle helpers on rank-specific rows."""
    x = torch.arange(3, device=device) + 10 * get_rank()
    shuffled, idx_unshuffle = batch_shuffle_ddp(x)
    back = batch_unshuffle_ddp(shuffled, idx_unshuffle)
    return dict(x=x.cpu(), shuffled=shuffled.cpu(), back=back.cpu(),
                idx_unshuffle=idx_unshuffle.cpu())


def main(out_dir: str) -> None:
    use_cuda = torch.cuda.is_available()
    init_dist('pytorch', backend='nccl' if use_cuda else 'gloo')
    rank = get_rank()
    device = torch.device('cuda', int(os.environ['LOCAL_RANK'])) \
        if use_cuda else torch.device('cpu')
    init_default_scope('mmaction')
    torch.manual_seed(0)  # same initial weights and queue on every rank
    model = MODELS.build(MODEL).to(device).train()
    ddp = DeviceAgnosticDDP(
        model, device_ids=[device.index] if use_cuda else None,
        broadcast_buffers=False, find_unused_parameters=False)
    optim = OptimWrapper(torch.optim.SGD(ddp.parameters(), lr=0.05))

    seen = dict(perms=[], enqueued=[], losses=[])
    shuffle = rspnet_module.batch_shuffle_ddp

    def recording_shuffle(x):
        shuffled, idx_unshuffle = shuffle(x)
        seen['perms'].append(idx_unshuffle.cpu())
        return shuffled, idx_unshuffle

    enqueue = model.enqueue

    def recording_enqueue(keys):
        seen['enqueued'].append(keys.detach().cpu())
        enqueue(keys)

    rspnet_module.batch_shuffle_ddp = recording_shuffle
    model.enqueue = recording_enqueue
    torch.manual_seed(100 + rank)  # rank-specific permutations elsewhere
    for step in range(STEPS):
        log_vars = ddp.train_step(make_batch(rank, step), optim)
        seen['losses'].append({k: float(v) for k, v in log_vars.items()})

    seen.update(
        queue=model.queue.cpu(),
        queue_ptr=model.queue_ptr.cpu(),
        query=torch.cat([p.detach().cpu().flatten()
                         for p in model.parameters() if p.requires_grad]),
        key=torch.cat([p.detach().cpu().flatten()
                       for p in model.key_encoder.parameters()]),
        helpers=check_shuffle_helpers(device))
    torch.save(seen, os.path.join(out_dir, f'rank{rank}.pt'))
    torch.distributed.destroy_process_group()


if __name__ == '__main__':
    main(sys.argv[1])
