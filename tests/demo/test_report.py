import matplotlib.image
import numpy as np
import pytest
import torch

from rspnet_mm.demo import pretrain, report
from rspnet_mm.evaluation.functional import compare


def _summary():
    n = 200
    perfect = torch.ones(n, dtype=torch.bool)
    half = torch.arange(n) % 2 == 0
    none = torch.zeros(n, dtype=torch.bool)
    summary = dict(probe_label='kind_speed', val_size=n, elapsed_s=800.0,
                   pretrain=dict(iters=900, seconds=570.0, loss_first=11.4,
                                 loss_last=7.1, rsp_acc_last=0.86,
                                 avid_acc_last=0.45))
    for name in report.MAIN_EVALS:
        summary[name] = compare(half, perfect)
    summary['probes'] = dict(background=compare(none, perfect),
                             colour=compare(perfect, none))
    return summary


def _curves():
    train = [dict(step=s, loss=10.0 - s / 100, loss_rsp=2.0 - s / 100,
                  loss_avid=8.0, rsp_acc=0.5 + s / 400, avid_acc=0.1)
             for s in range(10, 110, 10)]
    monitor = [dict(step=s, knn_top1=0.2 + s / 1000, retrieval_r1=0.1,
                    retrieval_r5=0.4 + s / 1000, monitor_seconds=3.0)
               for s in (50, 100)]
    return train[:5] + monitor[:1] + train[5:] + monitor[1:]


def test_figure_plots_the_logged_values():
    fig = report.draw(_curves(), _summary())
    losses, accs, monitor, bars = fig.axes
    steps = list(range(10, 110, 10))
    lines = {line.get_label(): line for line in losses.get_lines()}
    np.testing.assert_allclose(lines['loss_rsp'].get_xdata(), steps)
    np.testing.assert_allclose(lines['loss_rsp'].get_ydata(),
                               [2.0 - s / 100 for s in steps])
    lines = {line.get_label(): line for line in accs.get_lines()}
    np.testing.assert_allclose(lines['rsp_acc'].get_ydata(),
                               [0.5 + s / 400 for s in steps])
    # the kNN curve over pretraining, at the monitor's steps
    lines = {line.get_label(): line for line in monitor.get_lines()}
    assert set(lines) == set(report.MONITOR_NAMES)
    np.testing.assert_allclose(lines['knn_top1'].get_xdata(), [50, 100])
    np.testing.assert_allclose(lines['knn_top1'].get_ydata(), [0.25, 0.3])
    np.testing.assert_allclose(lines['retrieval_r5'].get_ydata(),
                               [0.45, 0.5])
    # bars: random then RSPNet init, main evaluations then the probes
    heights = [p.get_height() for p in bars.patches]
    assert heights == [50.0] * 5 + [0.0, 100.0] + [100.0] * 5 + [100.0, 0.0]
    assert [t.get_text() for t in bars.get_xticklabels()] == \
        list(report.MAIN_EVALS) + ['background', 'colour']


def test_plot_draws_scores_of_0_and_100_percent(tmp_path):
    # 100% used to give a Wilson bound of 99.99999999999999 and a negative
    # error bar, which matplotlib refuses after the whole demo had run
    path = tmp_path / 'demo.png'
    report.plot(_curves(), _summary(), str(path))
    image = matplotlib.image.imread(str(path))
    assert image.shape[:2] == (450, 2200)


def test_summary_of_the_monitor():
    p = pretrain.summarise(_curves(), iters=100, seconds=60.0)
    assert p['loss_first'] == pytest.approx(9.9)
    assert p['loss_last'] == pytest.approx(9.0)
    # last 50 iterations: steps 60..100
    assert p['rsp_acc_last'] == pytest.approx(0.5 + 80 / 400)
    expected = dict(steps=[50, 100], knn_top1=[0.25, 0.3],
                    retrieval_r1=[0.1, 0.1], retrieval_r5=[0.45, 0.5],
                    seconds_each=[3.0], share=[0.1])
    assert set(p['monitor']) == set(expected)
    for key, values in expected.items():
        np.testing.assert_allclose(p['monitor'][key], values, err_msg=key)


def test_table_lists_every_evaluation_with_intervals():
    summary = _summary()
    summary['pretrain'] = pretrain.summarise(_curves(), 100, 60.0)
    table = report.format_table(summary)
    assert ('| linear_probe (kind_speed) | 50.0 [43.1, 56.9] | '
            '100.0 [98.1, 100.0] | +50.0 [') in table
    assert '| linear probe: colour | 100.0 [98.1, 100.0] | 0.0 [0.0, 1.9]' \
        in table
    assert table.count('| yes |') == 6 and table.count('| no |') == 1
    assert 'rsp_acc (last 50 it) 0.700' in table
    assert ('representation monitor (2 evaluations, 3.0 s each, 10.0% of '
            'pretraining): knn_top1 0.250 at iteration 50 -> 0.300 at 100 '
            '(best 0.300 at 100); retrieval_r1 0.100, retrieval_r5 0.500'
            ) in table
