"""tools/benchmark/demo_workers.py: it reads mmengine's logged iteration
times after the warm-up and tabulates them per worker count."""
import json

import pytest

from rspnet_mm.testing.recipes import load_tool


def _write_scalars(work_dir, records):
    vis = work_dir / '20261201_000000' / 'vis_data'
    vis.mkdir(parents=True)
    (vis / 'scalars.json').write_text(
        '\n'.join(json.dumps(r) for r in records) + '\n')


def test_logged_times_leave_out_the_first_iterations(tmp_path):
    bench = load_tool('benchmark/demo_workers')
    _write_scalars(tmp_path, [
        dict(step=10, time=3.0, data_time=1.0, loss=9.0),
        dict(step=30, time=2.0, data_time=1.0, loss=9.0),
        dict(step=40, time=0.5, data_time=0.1, loss=9.0),
        dict(step=50, time=0.3, data_time=0.3, loss=9.0),
        dict(step=50, knn_top1=0.2),  # a monitor record: no times
    ])
    times = bench.logged_times(tmp_path)
    assert times['time'] == pytest.approx(0.4)
    assert times['data_time'] == pytest.approx(0.2)


def test_logged_times_need_iterations_after_the_warm_up(tmp_path):
    bench = load_tool('benchmark/demo_workers')
    _write_scalars(tmp_path, [dict(step=20, time=1.0, data_time=0.5)])
    with pytest.raises(RuntimeError, match='no iteration after 30 was '
                       'logged; give the runs more --seconds'):
        bench.logged_times(tmp_path)


def test_table_compares_with_the_first_worker_count():
    bench = load_tool('benchmark/demo_workers')
    runs = [dict(workers=0, iters=150, time=0.4, data_time=0.17),
            dict(workers=2, iters=120, time=0.5, data_time=0.05),
            dict(workers=0, iters=146, time=0.42, data_time=0.17),
            dict(workers=2, iters=118, time=0.52, data_time=0.05)]
    lines = bench.table(runs, 60, 'test machine').splitlines()
    assert lines[0] == 'Machine: test machine'
    assert lines[-2] == '| 0 | 2 | 0.410 | 0.170 | 150, 146 | 1.00x |'
    assert lines[-1] == '| 2 | 2 | 0.510 | 0.050 | 120, 118 | 1.24x |'
