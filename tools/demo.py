"""`make demo`: does RSPNet pretraining beat random initialisation?

1. generate the synthetic motion set (classes = motion kind x speed band,
   appearance random per clip; by default the footage-like scene of
   FOOTAGE_EFFECTS, ``--scene plain`` for one sprite on a still background);
2. pretrain RSPNet (configs/rspnet_litec3d_synthetic.py) for the time left
   in the budget after the evaluations;
3. evaluate the same backbone from RSPNet weights and from random
   initialisation: linear probe, kNN top-1 and retrieval R@1/R@5 on frozen
   features, a short finetune, and linear probes of the other labels;
4. print the table, write work_dirs/demo/summary.json and demo.png (with
   the Grad-CAM of 3 val clips, RSPNet vs random init, also as cam.png).

    python tools/demo.py [--minutes 15] [--work-dir work_dirs/demo]
"""
import argparse
import os
import os.path as osp
import sys
import time

import torch
from mmengine.config import DictAction

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

import rspnet_mm  # noqa: E402,F401
from rspnet_mm.compat import load_checkpoint_file  # noqa: E402
from rspnet_mm.demo import (  # noqa: E402
    cam_panel,
    evaluate,
    labels,
    pretrain,
    report,
    speed_baseline,
)
from rspnet_mm.evaluation.functional import compare  # noqa: E402
from rspnet_mm.models.backbones.backbone_checkpoint import (  # noqa: E402
    extract_backbone,
    save_plain_checkpoint,
)
from rspnet_mm.synthetic import (  # noqa: E402
    SyntheticMotionConfig,
    generate_dataset,
)

#: Seconds the steps after pretraining take on a 2-core CPU (149-164 s
#: measured in four whole demos with the CAM panel and the speed baseline,
#: plus a margin of about 50 s); pretraining gets the rest. At 270 s, a
#: demo ended about 2 minutes inside its budget.
EVAL_SECONDS = 210
FINETUNE_ITERS = 150


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--minutes', type=float, default=15.0,
                        help='wall-clock budget of the whole demo')
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--data-dir', default='data/synthetic_motion_demo')
    parser.add_argument('--clips', type=int, default=1000)
    parser.add_argument('--size', type=int, default=32)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--scene', choices=('plain', 'footage'),
                        default='footage',
                        help='footage: with the generator effects of '
                        'FOOTAGE_EFFECTS (camera pan with parallax, '
                        'lighting, texture, two more moving objects, '
                        'motion blur); plain: one sprite on a still '
                        'background (default: %(default)s)')
    parser.add_argument('--started-at', type=float, default=None,
                        help='epoch seconds the budget counts from (make '
                        'demo passes its own start, so that setting up '
                        '.venv counts too); default: now')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        default={}, help='overrides of the pretraining '
                        'config, e.g. model.bn_splits=1 (an ablation)')
    args = parser.parse_args(argv)
    if args.minutes < 5:
        parser.error(f'--minutes {args.minutes}: the demo needs at least 5 '
                     'minutes (about 4 for data and evaluation)')
    return args


#: Generator effects of ``--scene footage`` (the default): a camera panning
#: at up to 0.15 px per frame (drawn per clip) with parallax, a lighting
#: swing of 0.05, a textured background, two other objects drifting slower
#: than the labelled sprite (one behind it, one in front, so occluding it
#: at times) and motion blur over 0.3 of a frame
#: (``rspnet_mm/synthetic/effects.py``). With a swing of 0.15 and a 0.5
#: shutter, rsp_acc reached 0.95 while the linear probe stayed at 51-55%
#: (68.5% now), likely because the brightness ramp tells the playback
#: speed without any motion. No bar occluders:
#: one bar of random grey dominates the stem's per-clip standardisation.
#: docs/demo.md has the runs behind each value.
FOOTAGE_EFFECTS = dict(camera_pan=0.15, lighting=0.05, texture=0.2,
                       distractors=2, motion_blur=0.3)


def make_data(args) -> SyntheticMotionConfig:
    # speed_scale 3: at 32 px the default speeds move sub-pixel distances
    # per frame for the periodic kinds
    effects = FOOTAGE_EFFECTS if args.scene == 'footage' else {}
    cfg = SyntheticMotionConfig(n_clips=args.clips, size=args.size,
                                min_frames=64, max_frames=80,
                                speed_scale=3.0, seed=args.seed, **effects)
    marker = osp.join(args.data_dir, 'generation.json')
    if osp.isfile(marker):
        import json
        with open(marker) as f:
            if json.load(f).get('config') == cfg.to_dict():
                print(f'[demo] reusing the synthetic set in {args.data_dir}')
                return cfg
    print(f'[demo] generating {args.clips} clips at {args.size} px '
          f'({args.scene} scene) in {args.data_dir}')
    generate_dataset(cfg, args.data_dir, workers=min(os.cpu_count() or 1, 4),
                     progress=True)
    return cfg


def random_init_checkpoint(path: str, seed: int) -> str:
    """The demo backbone initialised by init_weights(), seeded."""
    from mmaction.registry import MODELS
    from mmengine.config import Config
    torch.manual_seed(seed)
    cfg = Config.fromfile(osp.join(REPO_ROOT, pretrain.PRETRAIN_CONFIG))
    backbone = MODELS.build(cfg.model.backbone)
    backbone.init_weights()
    save_plain_checkpoint(path, dict(
        state_dict={f'backbone.{k}': v
                    for k, v in backbone.state_dict().items()},
        meta=dict(backbone=cfg.model.backbone.to_dict(), source='init')))
    return path


def rspnet_backbone_checkpoint(src: str, dst: str) -> str:
    """The query backbone of the pretraining checkpoint, as
    tools/extract_backbone.py writes it."""
    checkpoint = load_checkpoint_file(src)
    save_plain_checkpoint(dst, extract_backbone(checkpoint, src))
    return dst


def main(argv=None) -> dict:
    args = parse_args(argv)
    start = time.monotonic()
    # time spent before this process (make demo: the .venv set-up)
    before = 0.0
    if args.started_at is not None:
        before = max(time.time() - args.started_at, 0.0)
        print(f'[demo] {before:.0f} s of the budget went before tools/demo.py'
              ' (setting up .venv)')
    os.makedirs(args.work_dir, exist_ok=True)
    data_cfg = make_data(args)
    data_dir = args.data_dir

    budget = (args.minutes * 60 - before - (time.monotonic() - start)
              - EVAL_SECONDS)
    print(f'[demo] pretraining RSPNet for {budget:.0f} s')
    run = pretrain.pretrain(REPO_ROOT, data_dir,
                            osp.join(args.work_dir, 'pretrain'), budget,
                            args.cfg_options)
    pretrain_summary = pretrain.summarise(run['curves'], run['iters'],
                                          run['seconds'])

    inits = dict(random=random_init_checkpoint(
        osp.join(args.work_dir, 'random_init.pth'), args.seed),
        rspnet=rspnet_backbone_checkpoint(
            run['checkpoint'], osp.join(args.work_dir, 'rspnet_backbone.pth')))
    train_labels = labels.labels_in_list_order(data_dir, 'train')
    val_labels = labels.labels_in_list_order(data_dir, 'val')
    outcomes = {}
    for name, checkpoint in inits.items():
        print(f'[demo] evaluating the {name} initialisation')
        work = osp.join(args.work_dir, f'eval_{name}')
        feats = {split: evaluate.extract_features(REPO_ROOT, data_dir, split,
                                                  checkpoint, work)
                 for split in ('train', 'val')}
        outcomes[name] = evaluate.probe_all(
            feats['train'], feats['val'], train_labels, val_labels,
            labels.PRIMARY_LABEL, labels.OTHER_PROBES)
        outcomes[name]['finetune'] = evaluate.finetune(
            REPO_ROOT, data_dir, checkpoint, osp.join(work, 'finetune'),
            FINETUNE_ITERS,
            len(data_cfg.class_names(labels.PRIMARY_LABEL)))

    summary = dict(pretrain_config=run['config'], pretrain=pretrain_summary,
                   pretrain_options=args.cfg_options,
                   probe_label=labels.PRIMARY_LABEL,
                   val_size=int(len(val_labels[labels.PRIMARY_LABEL])))
    for key in report.MAIN_EVALS:
        summary[key] = compare(outcomes['random'][key],
                               outcomes['rspnet'][key])
    summary['probes'] = {
        name: compare(outcomes['random'][f'probe/{name}'],
                      outcomes['rspnet'][f'probe/{name}'])
        for name in labels.OTHER_PROBES}
    # relative speed on val triples: RSPNet vs a frame-difference ranker
    summary['rsp_val'] = speed_baseline.speed_baseline_summary(
        speed_baseline.speed_judgements(osp.join(REPO_ROOT, run['config']),
                                        run['checkpoint'], data_dir,
                                        seed=args.seed))
    summary['data'] = dict(dir=data_dir, **data_cfg.to_dict())
    summary['finetune_iters'] = FINETUNE_ITERS
    # the whole demo: make's .venv set-up (setup_s) and this process
    summary['setup_s'] = before
    summary['elapsed_s'] = before + time.monotonic() - start

    report.write_summary(summary, osp.join(args.work_dir, 'summary.json'))
    report.plot(run['curves'], summary, osp.join(args.work_dir, 'demo.png'))
    # Grad-CAM of 3 val clips, RSPNet vs random init, under the figure
    panel = cam_panel.write_cam_panel(
        osp.join(REPO_ROOT, run['config']), run['checkpoint'], data_dir,
        osp.join(args.work_dir, 'cam.png'), seed=args.seed)
    cam_panel.append_below(osp.join(args.work_dir, 'demo.png'), panel)
    print(report.format_table(summary))
    print(speed_baseline.format_speed_baseline(summary['rsp_val'],
                                               summary['val_size']))
    print(f'[demo] wrote {args.work_dir}/summary.json, '
          f'{args.work_dir}/demo.png and {panel}')
    return summary


if __name__ == '__main__':
    sys.exit(0 if main() else 1)
