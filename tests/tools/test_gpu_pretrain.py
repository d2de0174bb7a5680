"""tools/benchmark/gpu_pretrain.py: without CUDA it says so and exits 0;
its table formats the measurements."""
import os
import subprocess
import sys

from rspnet_mm.testing.recipes import REPO_ROOT, load_tool


def test_without_cuda_it_says_so_and_exits_cleanly(tmp_path):
    out = tmp_path / 'table.md'
    proc = subprocess.run(
        [sys.executable, str(REPO_ROOT / 'tools' / 'benchmark' /
                             'gpu_pretrain.py'), '--out', str(out)],
        env=dict(os.environ, CUDA_VISIBLE_DEVICES=''),  # also on a GPU host
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert ('CUDA is not available (torch.cuda.is_available() is False): '
            'this benchmark needs a GPU and measured nothing.') in proc.stdout
    assert proc.stdout.startswith('machine: ')
    assert not out.exists()


def test_table_rows():
    bench = load_tool('benchmark/gpu_pretrain')
    rows = [dict(case='S3D-G 16x224', batch=8, mode='bf16 autocast',
                 it_s=2.5, clips_s=60.0, peak_gib=11.04, loss=7.1234),
            dict(case='S3D-G 16x224', batch=16, mode='fp32', oom=True)]
    demo = dict(iters=300, seconds=61.2, it_s=4.9, loss_rsp=1.2345,
                rsp_acc=0.75)
    lines = bench.table(rows, demo, 'a machine').splitlines()
    assert lines[0] == 'Machine: a machine'
    assert lines[4] == ('| S3D-G 16x224 | 8 | bf16 autocast | 2.50 | 60.0 | '
                        '11.0 | 7.123 |')
    assert lines[5] == ('| S3D-G 16x224 | 16 | fp32 | out of memory | | | |')
    assert lines[-1] == ('| configs/rspnet_litec3d_synthetic.py | 300 | 61 | '
                         '4.90 | 1.234 | 0.750 |')
    assert [bench.mode_name(*m) for m in bench.MODES] == [
        'fp32', 'fp32 + channels_last_3d', 'bf16 autocast',
        'bf16 autocast + channels_last_3d']
