"""Re-encode a video collection so that decoding it is cheap.

Each video of a ``path [label]`` list becomes an H.264 (yuv420p) mp4 with
the short side ``--short-side`` (only shrinking; both sides even) and a key
frame every ``--keyint`` frames, so a sample's two windows decode from a
near key frame (the official RSPNet code ships such a step for Kinetics).
Audio is dropped; frames keep their order and count (a variable frame rate
becomes the average rate). Each output is checked to decode with the
frame count written. Parallel (``--workers``), with a progress bar, and
resumable: outputs recorded in ``OUT/.done.jsonl`` are verified and kept.
Writes the new list (same labels, ``.mp4`` paths relative to ``OUT``) and
lists broken inputs in ``<out-list>.broken.txt``, skipping them.

Example::

    python tools/data/transcode_videos.py \\
        data/kinetics400/kinetics400_train_list_videos.txt \\
        --data-prefix data/kinetics400/videos_train \\
        --out data/kinetics400/videos_train_256 \\
        --out-list data/kinetics400/kinetics400_train_list_videos_256.txt
"""
import sys
from pathlib import Path

from rspnet_mm.datasets.transforms.errors import VideoReadError
from rspnet_mm.datasets.transforms.frame_sources import PyAVReader
from rspnet_mm.datasets.video_collection import (
    collection_parser,
    process_collection,
    report,
    transcode_one,
)


def output_is_good(out_root: Path):
    """Whether a recorded output still opens with its frame count."""
    def check(entry) -> bool:
        try:
            return len(PyAVReader(str(out_root / entry['output']))) == \
                entry['frames']
        except VideoReadError:
            return False
    return check


def main(argv=None) -> int:
    parser = collection_parser(__doc__, 'output folder',
                               'new list of the transcoded videos')
    parser.add_argument('--short-side', type=int, default=256)
    parser.add_argument('--keyint', type=int, default=16,
                        help='frames between key frames')
    parser.add_argument('--crf', type=int, default=23)
    parser.add_argument('--preset', default='veryfast')
    args = parser.parse_args(argv)
    out = Path(args.out)
    job = dict(short_side=args.short_side, keyint=args.keyint,
               crf=args.crf, preset=args.preset)
    made, kept, broken = process_collection(
        args.ann_file, args.data_prefix, out, Path(args.out_list),
        transcode_one, job, output_is_good(out), args.workers, 'transcode')
    return report('transcoded', made, kept, broken, args.out_list)


if __name__ == '__main__':
    sys.exit(main())
