"""Extract a video collection into frame folders in MMAction2's layout.

Each video of a ``path [label]`` list becomes a folder ``OUT/<path without
extension>/`` of JPEG frames ``img_00001.jpg``, ``img_00002.jpg``, ... (in
decode order; ``--short-side`` shrinks them), read by
``configs/rspnet_r18_k400_rawframes.py`` (and MMAction2's
``RawframeDataset``). Writes the annotation list ``frame_dir total_frames
label`` and lists broken inputs in ``<out-list>.broken.txt``, skipping
them. Parallel (``--workers``), with a progress bar, and resumable:
folders recorded in ``OUT/.done.jsonl`` that still hold every frame are
kept.

For Kinetics-400 in MMAction2's layout: ``python tools/data/extract_frames.py
data/kinetics400/kinetics400_train_list_videos.txt --data-prefix
data/kinetics400/videos_train --out data/kinetics400/rawframes_train
--out-list data/kinetics400/kinetics400_train_list_rawframes.txt``.
"""
import sys
from pathlib import Path

from rspnet_mm.datasets.video_collection import (
    collection_parser,
    extract_one,
    process_collection,
    report,
)


def folder_is_complete(out_root: Path, filename_tmpl: str):
    """Whether a recorded folder still holds its first and last frame."""
    def check(entry) -> bool:
        folder = out_root / entry['output']
        return ((folder / filename_tmpl.format(1)).is_file()
                and (folder / filename_tmpl.format(entry['frames'])
                     ).is_file())
    return check


def main(argv=None) -> int:
    parser = collection_parser(__doc__, 'frame folder root',
                               'list of `frame_dir total_frames label`')
    parser.add_argument('--short-side', type=int, default=None,
                        help='shrink frames to this short side')
    parser.add_argument('--quality', type=int, default=95,
                        help='JPEG quality')
    parser.add_argument('--filename-tmpl', default='img_{:05}.jpg')
    args = parser.parse_args(argv)
    out = Path(args.out)
    job = dict(short_side=args.short_side, quality=args.quality,
               filename_tmpl=args.filename_tmpl, count_in_list=True)
    made, kept, broken = process_collection(
        args.ann_file, args.data_prefix, out, Path(args.out_list),
        extract_one, job, folder_is_complete(out, args.filename_tmpl),
        args.workers, 'extract')
    return report('extracted', made, kept, broken, args.out_list)


if __name__ == '__main__':
    sys.exit(main())
