"""What the collection tools share (``tools/data/transcode_videos.py``,
``tools/data/extract_frames.py``): reading a video list, decoding every
frame of a file in order, a resumable record of finished files, and a
parallel loop with a progress bar.
"""
import json
import os
from multiprocessing import get_context
from pathlib import Path
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Tuple

import numpy as np
from tqdm import tqdm

from .transforms.errors import VideoReadError
from .transforms.frame_sources import first_line, reduced_size
from .video_list import parse_video_list


def read_collection(ann_file: str, data_prefix: Optional[str]
                    ) -> List[Tuple[str, str, str]]:
    """``(path, relative path, label text)`` per line of a video list.

    Args:
        ann_file (str): ``path [label]`` list (checked line by line).
        data_prefix (str | None): Folder the paths are relative to.

    Returns:
        list[tuple[str, str, str]]: The file, its path relative to
        ``data_prefix`` (the name its output gets), and the label text to
        write back ('' for an unlabelled video).
    """
    entries = parse_video_list(ann_file, data_prefix=data_prefix)
    rows = []
    for entry in entries:
        label = entry['label']
        label = (' '.join(map(str, label)) if isinstance(label, list)
                 else ('' if label == -1 else str(label)))
        relative = (os.path.relpath(entry['filename'], data_prefix)
                    if data_prefix else entry['filename'])
        rows.append((entry['filename'], relative, label))
    return rows


def even_size(height: int, width: int,
              short_side: Optional[int]) -> Tuple[int, int]:
    """Output size with the short side ``short_side`` (only shrinking), both
    sides even (as H.264 in yuv420p needs)."""
    size = reduced_size(height, width, short_side) or (height, width)
    return tuple(max(2, side - side % 2) for side in size)


def decode_all(path: str, short_side: Optional[int] = None,
               even: bool = False) -> Iterator[np.ndarray]:
    """Every frame of ``path`` in decode order, as (H, W, 3) uint8 RGB.

    Args:
        path (str): The video file.
        short_side (int | None): Resize (bilinear) to this short side when
            the frames are larger.
        even (bool): Also make both sides even.

    Raises:
        VideoReadError: The file cannot be opened or decoded.
    """
    import av
    try:
        with av.open(path, metadata_errors='ignore') as container:
            stream = container.streams.video[0]
            size = None
            for frame in container.decode(stream):
                if size is None:
                    size = (even_size(frame.height, frame.width, short_side)
                            if even else reduced_size(
                                frame.height, frame.width, short_side)
                            or (frame.height, frame.width))
                yield frame.to_ndarray(format='rgb24', height=size[0],
                                       width=size[1],
                                       interpolation='BILINEAR')
    except (VideoReadError, GeneratorExit):
        raise
    except Exception as error:  # FFmpeg errors, no video stream
        raise VideoReadError(
            path, f'cannot decode it ({first_line(error)})') from error


class DoneRecord:
    """A resumable record of finished outputs (one JSON object a line).

    Args:
        path (Path): The record file (appended to).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.entries: Dict[str, Dict] = {}
        if self.path.is_file():
            for line in self.path.read_text().splitlines():
                if line.strip():
                    entry = json.loads(line)
                    self.entries[entry['relative']] = entry

    def add(self, entry: Dict) -> None:
        """Record a finished output (``relative`` names it)."""
        self.entries[entry['relative']] = entry
        with self.path.open('a') as stream:
            stream.write(json.dumps(entry) + '\n')


def run_parallel(work: Callable, items: Iterable, workers: int,
                 desc: str) -> Iterator:
    """``work(item)`` for every item, in ``workers`` processes (0: here),
    with a progress bar; results in completion order."""
    items = list(items)
    bar = tqdm(total=len(items), desc=desc, unit='video')
    try:
        if workers <= 0:
            for item in items:
                yield work(item)
                bar.update()
            return
        with get_context().Pool(workers) as pool:
            for result in pool.imap_unordered(work, items):
                yield result
                bar.update()
    finally:
        bar.close()


def write_lists(out_list: Path, lines: List[str], broken: List[str],
                broken_list: Path) -> None:
    """Write the new annotation list and the broken inputs (if any)."""
    out_list.parent.mkdir(parents=True, exist_ok=True)
    out_list.write_text(''.join(f'{line}\n' for line in lines))
    if broken:
        broken_list.write_text(''.join(f'{line}\n' for line in broken))
    elif broken_list.is_file():
        broken_list.unlink()


def transcode_one(job: Dict) -> Dict:
    """Re-encode one video to H.264 and check the output.

    Args:
        job (dict): ``src``, ``relative``, ``out_root``, ``short_side``,
            ``keyint``, ``crf``, ``preset``.

    Returns:
        dict: ``relative``, ``output`` (relative path of the new file) and
        ``frames``, or ``relative`` and ``error``.
    """
    import av

    from .transforms.frame_sources import PyAVReader
    output = str(Path(job['relative']).with_suffix('.mp4'))
    target = Path(job['out_root']) / output
    part = target.with_name(target.stem + '.part.mp4')
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with av.open(job['src'], metadata_errors='ignore') as source:
            rate = source.streams.video[0].average_rate or 25
        frames = 0
        with av.open(str(part), 'w') as container:
            stream = container.add_stream(
                'libx264', rate=rate, options={
                    'crf': str(job['crf']), 'preset': job['preset'],
                    'g': str(job['keyint'])})
            stream.pix_fmt = 'yuv420p'
            for image in decode_all(job['src'], job['short_side'], True):
                if frames == 0:
                    stream.height, stream.width = image.shape[:2]
                container.mux(stream.encode(
                    av.VideoFrame.from_ndarray(image, format='rgb24')))
                frames += 1
            if frames:
                container.mux(stream.encode())
        if frames == 0:
            raise VideoReadError(job['src'], 'no frame decodes')
        reader = PyAVReader(str(part))
        if len(reader) != frames:
            raise VideoReadError(
                str(part), f'the output holds {len(reader)} frames, '
                f'{frames} were written')
        reader.read([0, frames - 1])
        os.replace(part, target)
    except Exception as error:
        part.unlink(missing_ok=True)
        reason = (error.reason if isinstance(error, VideoReadError)
                  else first_line(error))
        return dict(relative=job['relative'], error=reason)
    return dict(relative=job['relative'], output=output, frames=frames)


def extract_one(job: Dict) -> Dict:
    """Write every frame of one video as JPEG files into a frame folder.

    Args:
        job (dict): ``src``, ``relative``, ``out_root``, ``short_side``,
            ``filename_tmpl``, ``quality``.

    Returns:
        dict: ``relative``, ``output`` (the folder, relative) and
        ``frames``, or ``relative`` and ``error``.
    """
    import shutil

    import cv2
    output = str(Path(job['relative']).with_suffix(''))
    target = Path(job['out_root']) / output
    part = target.with_name(target.name + '.part')
    shutil.rmtree(part, ignore_errors=True)
    part.mkdir(parents=True)
    frames = 0
    try:
        for image in decode_all(job['src'], job['short_side']):
            name = job['filename_tmpl'].format(frames + 1)
            if not cv2.imwrite(str(part / name),
                               cv2.cvtColor(image, cv2.COLOR_RGB2BGR),
                               [cv2.IMWRITE_JPEG_QUALITY, job['quality']]):
                raise VideoReadError(job['src'], f'cannot write {name}')
            frames += 1
        if frames == 0:
            raise VideoReadError(job['src'], 'no frame decodes')
        shutil.rmtree(target, ignore_errors=True)
        os.replace(part, target)
    except Exception as error:
        shutil.rmtree(part, ignore_errors=True)
        reason = (error.reason if isinstance(error, VideoReadError)
                  else first_line(error))
        return dict(relative=job['relative'], error=reason)
    return dict(relative=job['relative'], output=output, frames=frames)


def process_collection(ann_file: str, data_prefix: Optional[str],
                       out_root: Path, out_list: Path, work: Callable,
                       job: Dict, is_done: Callable[[Dict], bool],
                       workers: int, desc: str) -> Tuple[int, int, List]:
    """Run ``work`` on every video of a list, resumably.

    Finished outputs are kept in ``out_root/.done.jsonl``; on a rerun an
    output listed there is kept when ``is_done(entry)`` confirms it (else
    made again). Writes ``out_list`` (each line: output, then ``frames``
    when ``job`` has ``count_in_list``, then the label) and
    ``out_list`` + ``.broken.txt`` (``path: reason`` per broken input).

    Returns:
        tuple[int, int, list[str]]: Outputs made now, outputs kept, broken
        inputs.
    """
    out_root.mkdir(parents=True, exist_ok=True)
    record = DoneRecord(out_root / '.done.jsonl')
    rows = read_collection(ann_file, data_prefix)
    kept = {rel for _, rel, _ in rows
            if rel in record.entries and is_done(record.entries[rel])}
    jobs = [dict(job, src=src, relative=rel, out_root=str(out_root))
            for src, rel, _ in rows if rel not in kept]
    broken = {}
    for result in run_parallel(work, jobs, workers, desc):
        if 'error' in result:
            broken[result['relative']] = result['error']
        else:
            record.add(result)
    lines = []
    for _, rel, label in rows:
        if rel in broken:
            continue
        entry = record.entries[rel]
        fields = [entry['output']]
        if job.get('count_in_list'):
            fields.append(str(entry['frames']))
        lines.append(' '.join(fields + ([label] if label else [])))
    by_rel = {rel: src for src, rel, _ in rows}
    write_lists(out_list, lines,
                [f'{by_rel[rel]}: {reason}' for rel, reason in
                 broken.items()],
                Path(str(out_list) + '.broken.txt'))
    return len(jobs) - len(broken), len(kept), sorted(broken)


def collection_parser(doc: str, out_help: str, list_help: str):
    """The arguments both collection tools take: the list, its folder, the
    output folder and list, and the number of processes."""
    import argparse
    parser = argparse.ArgumentParser(
        description=doc.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('ann_file', help='`path [label]` video list')
    parser.add_argument('--data-prefix', default=None,
                        help='folder the list paths are relative to')
    parser.add_argument('--out', required=True, help=out_help)
    parser.add_argument('--out-list', required=True, help=list_help)
    parser.add_argument('--workers', type=int, default=4,
                        help='processes (0: this one)')
    return parser


def report(verb: str, made: int, kept: int, broken: List[str],
           out_list: str) -> int:
    """Print what a collection tool did; its exit status (1: broken
    inputs)."""
    listed = f', listed in {out_list}.broken.txt' if broken else ''
    print(f'{verb} {made}, kept {kept} finished earlier, {len(broken)} '
          f'broken (skipped{listed}); wrote {out_list}')
    return 1 if broken else 0
