"""The demo's results table, summary.json and figure."""
import json
from typing import Dict, List

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

MAIN_EVALS = ('linear_probe', 'knn_top1', 'retrieval_r1', 'retrieval_r5',
              'finetune')


def format_table(summary: dict) -> str:
    """Markdown table: random vs RSPNet init, with 95% intervals."""
    rows = [(name, summary[name]) for name in MAIN_EVALS]
    rows += [(f'linear probe: {name}', result)
             for name, result in summary['probes'].items()]
    lines = [
        f'| evaluation (val n={summary["val_size"]}) | random init | '
        'RSPNet init | difference, 95% CI | RSPNet better |',
        '|---|---|---|---|---|'
    ]
    for name, r in rows:
        label = name
        if name in MAIN_EVALS:
            label = f'{name} ({summary["probe_label"]})'
        lines.append(
            f'| {label} | {r["random"]:.1f} [{r["random_ci"][0]:.1f}, '
            f'{r["random_ci"][1]:.1f}] | {r["rspnet"]:.1f} '
            f'[{r["rspnet_ci"][0]:.1f}, {r["rspnet_ci"][1]:.1f}] | '
            f'{r["rspnet"] - r["random"]:+.1f} [{r["diff_ci"][0]:+.1f}, '
            f'{r["diff_ci"][1]:+.1f}] | '
            f'{"yes" if r["rspnet_better"] else "no"} |')
    p = summary['pretrain']
    lines.append('')
    lines.append(
        f'pretraining: {p["iters"]} iterations in {p["seconds"]:.0f} s; '
        f'loss {p["loss_first"]:.3f} -> {p["loss_last"]:.3f}; rsp_acc '
        f'(last 50 it) {p["rsp_acc_last"]:.3f}; avid_acc '
        f'{p["avid_acc_last"]:.3f}; whole demo {summary["elapsed_s"]:.0f} s')
    monitor = p.get('monitor')
    if monitor and monitor['steps']:
        best = max(range(len(monitor['steps'])),
                   key=monitor['knn_top1'].__getitem__)
        lines.append(
            f'representation monitor ({len(monitor["steps"])} evaluations, '
            f'{monitor["seconds_each"]:.1f} s each, '
            f'{100 * monitor["share"]:.1f}% of pretraining): knn_top1 '
            f'{monitor["knn_top1"][0]:.3f} at iteration '
            f'{monitor["steps"][0]} -> {monitor["knn_top1"][-1]:.3f} at '
            f'{monitor["steps"][-1]} (best {monitor["knn_top1"][best]:.3f} '
            f'at {monitor["steps"][best]}); retrieval_r1 '
            f'{monitor["retrieval_r1"][-1]:.3f}, retrieval_r5 '
            f'{monitor["retrieval_r5"][-1]:.3f}')
    return '\n'.join(lines)


def write_summary(summary: dict, path: str) -> None:
    """Write summary.json (plain JSON types only)."""
    with open(path, 'w') as f:
        json.dump(summary, f, indent=2, default=float)


MONITOR_NAMES = ('knn_top1', 'retrieval_r1', 'retrieval_r5')


def draw(curves: List[dict], summary: Dict) -> plt.Figure:
    """The demo figure: pretraining losses, pretext accuracies, the
    representation monitor over pretraining, random-vs-RSPNet bars.

    Args:
        curves (list[dict]): Logged pretraining records (training records
            have ``loss``, monitor records ``knn_top1``).
        summary (dict): The demo summary.

    Returns:
        Figure: Four panels, in that order.
    """
    train = [c for c in curves if 'loss' in c]
    steps = [c['step'] for c in train]
    fig, axes = plt.subplots(1, 4, figsize=(22, 4.5))
    for key in ('loss_rsp', 'loss_avid'):
        axes[0].plot(steps, [c[key] for c in train], label=key)
    axes[0].set_xlabel('iteration')
    axes[0].set_title('pretraining losses')
    axes[0].legend()
    for key in ('rsp_acc', 'avid_acc'):
        axes[1].plot(steps, [c[key] for c in train], label=key)
    axes[1].axhline(0.5, color='grey', lw=0.8, ls='--')
    axes[1].set_xlabel('iteration')
    axes[1].set_title('pretraining accuracies (10-iteration means)')
    axes[1].legend()
    monitored = [c for c in curves if 'knn_top1' in c]
    for key in MONITOR_NAMES:
        axes[2].plot([c['step'] for c in monitored],
                     [c[key] for c in monitored], marker='o', label=key)
    axes[2].set_ylim(0, 1)
    axes[2].set_xlabel('iteration')
    axes[2].set_title(f'representation monitor (val, '
                      f'{summary["probe_label"]}, leave-one-out)')
    axes[2].legend()
    names = list(MAIN_EVALS) + list(summary['probes'])
    results = [summary[n] if n in MAIN_EVALS else summary['probes'][n]
               for n in names]
    xs = range(len(names))
    for offset, key, colour in ((-0.2, 'random', 'tab:grey'),
                                (0.2, 'rspnet', 'tab:blue')):
        values = [r[key] for r in results]
        errors = [[v - r[f'{key}_ci'][0] for v, r in zip(values, results)],
                  [r[f'{key}_ci'][1] - v for v, r in zip(values, results)]]
        axes[3].bar([x + offset for x in xs], values, 0.4, yerr=errors,
                    color=colour, label=f'{key} init', capsize=2)
    axes[3].set_xticks(list(xs))
    axes[3].set_xticklabels(names, rotation=45, ha='right', fontsize=8)
    axes[3].set_ylabel('% (95% Wilson interval)')
    axes[3].set_title(f'val n={summary["val_size"]}')
    axes[3].legend()
    fig.tight_layout()
    return fig


def plot(curves: List[dict], summary: Dict, path: str) -> None:
    """Draw the demo figure (see :func:`draw`) and save it as a PNG.

    Args:
        curves (list[dict]): Logged pretraining records.
        summary (dict): The demo summary.
        path (str): Output .png path.
    """
    fig = draw(curves, summary)
    fig.savefig(path, dpi=100)
    plt.close(fig)
