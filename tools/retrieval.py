"""Video-to-video retrieval: R@1/5/10/20/50 of a frozen backbone.

    python tools/retrieval.py CONFIG CHECKPOINT [--work-dir DIR]
        [--no-cache] [--data-root DIR] [--train-list LIST]
        [--test-list LIST] [--batch-size N] [--num-workers N]
        [--cfg-options ...] [--launcher none|pytorch|slurm]

CONFIG is a retrieval config (``configs/retrieval/``): its
``gallery_dataloader`` (train split) is embedded once and cached under the
work dir, keyed by the checkpoint and gallery list; its
``test_dataloader`` (test split) gives the queries. Works in one process
and under torchrun (``--launcher pytorch``). ``--train-list`` sets the
gallery, ``--test-list`` the queries (``rspnet_mm/cli/data_options.py``).
The terminal shows progress bars and the recall table; the configs and
logs of the two passes are in the work dir. ``--features GALLERY_DIR
QUERY_DIR`` takes the recall from two ``tools/extract_features.py``
folders instead, without running the model.
"""
import argparse
import copy
import hashlib
import os
import os.path as osp

from mmengine.config import Config
from mmengine.dist import get_dist_info

from rspnet_mm.cli import apply_tool_options, build_runner, parse_tool_args
from rspnet_mm.features import recall_from_features


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Video retrieval recall')
    parser.add_argument('config', help='retrieval config')
    parser.add_argument('checkpoint', help='backbone or full checkpoint')
    parser.add_argument('--work-dir', help='where the cache and logs go')
    parser.add_argument('--no-cache', action='store_true',
                        help='re-extract the gallery features')
    parser.add_argument('--features', nargs=2,
                        metavar=('GALLERY_DIR', 'QUERY_DIR'),
                        help='recall from two tools/extract_features.py '
                        'folders instead of running the model (CHECKPOINT '
                        'is then not read; the config gives the k values)')
    return parse_tool_args(parser, argv, ('train', 'test'))


def _cache_key(checkpoint: str, cfg: Config) -> str:
    stat = os.stat(checkpoint)
    dataset = cfg.gallery_dataloader.dataset
    text = (f'{osp.abspath(checkpoint)}|{stat.st_size}|{stat.st_mtime_ns}|'
            f'{dataset.get("ann_file")}|{dataset.get("pipeline")}')
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def _with_evaluator(cfg: Config, loader, evaluator: dict,
                    desc: str) -> Config:
    cfg = copy.deepcopy(cfg)
    # one logger per pass (runners of the same second would share one)
    cfg.experiment_name = f'{cfg.get("experiment_name") or _name(cfg)}_{desc}'
    cfg.test_dataloader = loader
    cfg.test_evaluator = evaluator
    cfg.custom_hooks = [*cfg.get('custom_hooks', []),
                        dict(type='LoopProgressBarHook', desc=desc)]
    return cfg


def _name(cfg: Config) -> str:
    return osp.splitext(osp.basename(cfg.filename or 'retrieval'))[0]


def format_table(metrics: dict) -> str:
    """Markdown table of ``{'retrieval/R@k': value}``."""
    keys = [k for k in metrics if 'R@' in k]
    names = [k.split('/')[-1] for k in keys]
    head = '| ' + ' | '.join(names) + ' |'
    rule = '|' + '---|' * len(names)
    row = '| ' + ' | '.join(f'{metrics[k]:.1f}' for k in keys) + ' |'
    return '\n'.join([head, rule, row])


def _recall_from_features(args: argparse.Namespace) -> dict:
    topk = Config.fromfile(args.config).test_evaluator.get(
        'topk', (1, 5, 10, 20, 50))
    metrics = recall_from_features(*args.features, topk=topk)
    print(format_table(metrics))
    return metrics


def main(argv=None) -> dict:
    args = parse_args(argv)
    if args.features:
        return _recall_from_features(args)
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint {args.checkpoint} not found')
    cfg = Config.fromfile(args.config)
    if 'gallery_dataloader' not in cfg:
        raise KeyError(f'{args.config} has no gallery_dataloader: use a '
                       'config from configs/retrieval/')
    apply_tool_options(cfg, args, ['gallery_dataloader', 'test_dataloader'])
    cfg.load_from = args.checkpoint
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0])
    os.makedirs(cfg.work_dir, exist_ok=True)
    topk = cfg.test_evaluator.get('topk', (1, 5, 10, 20, 50))
    cache = osp.join(cfg.work_dir,
                     f'gallery_{_cache_key(args.checkpoint, cfg)}.npz')

    if args.no_cache or not osp.isfile(cache):
        gallery_cfg = _with_evaluator(
            cfg, cfg.gallery_dataloader,
            dict(type='VideoRetrievalMetric', topk=topk,
                 dump_features=cache, prefix='gallery'), 'gallery')
        # the gallery pass only writes features: its leave-one-out recall
        # within the train split means nothing, so no metric line
        gallery_cfg.default_hooks.logger = None
        build_runner(gallery_cfg).test()
    query_cfg = _with_evaluator(
        cfg, cfg.test_dataloader,
        dict(type='VideoRetrievalMetric', topk=topk,
             gallery_features=cache), 'queries')
    metrics = build_runner(query_cfg).test()
    if get_dist_info()[0] == 0:
        print(format_table(metrics))
    return metrics


if __name__ == '__main__':
    main()
