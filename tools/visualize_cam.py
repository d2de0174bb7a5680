"""Grad-CAM of a video: where a recognizer or an RSPNet checkpoint looks.

    python tools/visualize_cam.py CONFIG CHECKPOINT VIDEO [--out DIR]
        [--target-class N] [--layer NAME] [--seed S] [--cfg-options ...]

CONFIG is a finetune config (a recognizer: the map of the predicted class,
or ``--target-class``) or an RSPNet pretraining config (the map of the
speed judgement s(q, k+) - s(q, k-) on the frames of q). CHECKPOINT is a
full or ``backbone.*`` checkpoint; ``none`` keeps the random
initialisation. Writes ``DIR/<video>_cam.png`` (two rows per clip: the
frames and the overlay, one column per frame) and ``DIR/<video>_cam.gif``.
``--layer`` names a module inside the backbone (default: its last stage).
"""
import argparse
import os.path as osp

import torch
from mmengine.config import Config, DictAction

import rspnet_mm  # noqa: F401
from rspnet_mm.inference import build_model
from rspnet_mm.visualization import video_cam, write_cam_figures


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Grad-CAM of a video')
    parser.add_argument('config', help='finetune or pretraining config')
    parser.add_argument('checkpoint', help="checkpoint, or 'none'")
    parser.add_argument('video', help='video file')
    parser.add_argument('--out', default='work_dirs/cam', help='output dir')
    parser.add_argument('--target-class', type=int, default=None,
                        help='class to explain (default: the predicted)')
    parser.add_argument('--layer', default=None,
                        help='module inside the backbone, e.g. layers.3 '
                        '(default: the last stage)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the initialisation and the pipeline')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    for path in (args.video, ) + ((args.checkpoint, )
                                  if args.checkpoint != 'none' else ()):
        if not osp.isfile(path):
            raise FileNotFoundError(f'{path} not found')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    torch.manual_seed(args.seed)
    checkpoint = None if args.checkpoint == 'none' else args.checkpoint
    model = build_model(cfg, checkpoint)
    result = video_cam(cfg, model, args.video, args.target_class,
                       args.layer, args.seed)
    stem = osp.splitext(osp.basename(args.video))[0]
    png, gif = write_cam_figures(result.frames, result.cams, args.out, stem)
    print(f'Grad-CAM of {result.target} at {result.layer} (score '
          f'{result.score:.4g}): {png}, {gif}')
    return dict(png=png, gif=gif, target=result.target, layer=result.layer,
                score=result.score)


if __name__ == '__main__':
    main()
