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
    return '\n'.join(lines)


def write_summary(summary: dict, path: str) -> None:
    """Write summary.json (plain JSON types only)."""
    with open(path, 'w') as f:
        json.dump(summary, f, indent=2, default=float)


def plot(curves: List[dict], summary: Dict, path: str) -> None:
    """Pretraining curves and the random-vs-RSPNet bars, as a PNG.

    Args:
        curves (list[dict]): Logged pretraining records.
        summary (dict): The demo summary.
        path (str): Output .png path.
    """
    train = [c for c in curves if 'loss' in c]
    steps = [c['step'] for c in train]
    fig, axes = plt.subplots(1, 3, figsize=(17, 4.5))
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
    names = list(MAIN_EVALS) + list(summary['probes'])
    results = [summary[n] if n in MAIN_EVALS else summary['probes'][n]
               for n in names]
    xs = range(len(names))
    for offset, key, colour in ((-0.2, 'random', 'tab:grey'),
                                (0.2, 'rspnet', 'tab:blue')):
        values = [r[key] for r in results]
        errors = [[v - r[f'{key}_ci'][0] for v, r in zip(values, results)],
                  [r[f'{key}_ci'][1] - v for v, r in zip(values, results)]]
        axes[2].bar([x + offset for x in xs], values, 0.4, yerr=errors,
                    color=colour, label=f'{key} init', capsize=2)
    axes[2].set_xticks(list(xs))
    axes[2].set_xticklabels(names, rotation=45, ha='right', fontsize=8)
    axes[2].set_ylabel('% (95% Wilson interval)')
    axes[2].set_title(f'val n={summary["val_size"]}')
    axes[2].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
