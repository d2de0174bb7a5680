import matplotlib.image
import torch

from rspnet_mm.demo import report
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


def test_plot_draws_scores_of_0_and_100_percent(tmp_path):
    # 100% used to give a Wilson bound of 99.99999999999999 and a negative
    # error bar, which matplotlib refuses after the whole demo had run
    curves = [dict(step=s, loss=10.0 - s / 100, loss_rsp=2.0 - s / 100,
                   loss_avid=8.0, rsp_acc=0.5 + s / 400, avid_acc=0.1)
              for s in range(10, 110, 10)]
    path = tmp_path / 'demo.png'
    report.plot(curves, _summary(), str(path))
    image = matplotlib.image.imread(str(path))
    assert image.shape[0] > 100 and image.shape[1] > 300


def test_table_lists_every_evaluation_with_intervals():
    table = report.format_table(_summary())
    assert ('| linear_probe (kind_speed) | 50.0 [43.1, 56.9] | '
            '100.0 [98.1, 100.0] | +50.0 [') in table
    assert '| linear probe: colour | 100.0 [98.1, 100.0] | 0.0 [0.0, 1.9]' \
        in table
    assert table.count('| yes |') == 6 and table.count('| no |') == 1
    assert 'rsp_acc (last 50 it) 0.860' in table
