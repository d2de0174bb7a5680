"""SkipBrokenVideoDataset: checked list, skipped and counted broken videos,
the broken-fraction limit, and counts shared by DataLoader workers."""
import gc
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from mmaction.registry import DATASETS
from mmengine.registry import init_default_scope
from torch.utils.data import DataLoader

from rspnet_mm.datasets import (
    SkipBrokenVideoDataset,
    TooManyBrokenVideosError,
    VideoListError,
)
from rspnet_mm.datasets import skip_broken_video_dataset as module
from rspnet_mm.datasets.transforms import (
    VideoReadError,
    relative_speed_sampler,
)
from rspnet_mm.datasets.transforms.frame_sources import BACKENDS
from rspnet_mm.testing.broken_videos import (
    BROKEN_KINDS,
    DAMAGED,
    HangingReader,
    gradient_frames,
    write_broken_videos,
)
from rspnet_mm.testing.encoded_videos import ENCODINGS, write_encoded_video
from rspnet_mm.testing.videos import write_video

SAMPLER = [dict(type='RelativeSpeedSampler', clip_len=4, speeds=(1, 2))]
GOOD = ['good0.mp4', 'good1.mp4', 'good2.mp4', 'short5.mp4']


@pytest.fixture(scope='module')
def video_root(tmp_path_factory) -> Path:
    """Three 20-frame clips, a 5-frame clip, and every broken kind."""
    root = tmp_path_factory.mktemp('videos')
    for name in GOOD[:3]:
        write_video(root / name, gradient_frames(20))
    write_video(root / 'short5.mp4', gradient_frames(5))
    write_broken_videos(root)
    return root


def make_dataset(tmp_path, root, names, pipeline=None, **kwargs):
    ann = tmp_path / 'list.txt'
    ann.write_text(''.join(f'{name} {i % 2}\n' for i, name in
                           enumerate(names)))
    init_default_scope('mmaction')
    return DATASETS.build(dict(
        type='SkipBrokenVideoDataset', ann_file=str(ann),
        data_prefix=dict(video=str(root)), pipeline=pipeline or SAMPLER,
        **kwargs))


@pytest.fixture
def logged(monkeypatch):
    """Messages the dataset logs."""
    messages = []
    monkeypatch.setattr(module, 'print_log',
                        lambda msg, **kwargs: messages.append(msg))
    return messages


def test_malformed_list_fails_at_construction(tmp_path, video_root):
    ann = tmp_path / 'bad.txt'
    ann.write_text('good0.mp4 0\ngood1.mp4 7\n')
    init_default_scope('mmaction')
    with pytest.raises(VideoListError, match=r'label 7 is outside \[0, 2\)')\
            as info:
        DATASETS.build(dict(type='SkipBrokenVideoDataset', ann_file=str(ann),
                            pipeline=SAMPLER, num_classes=2))
    assert f'{ann}, line 2' in str(info.value)


def test_bad_arguments():
    with pytest.raises(ValueError, match='max_broken_fraction=1.5'):
        SkipBrokenVideoDataset('x.txt', SAMPLER, max_broken_fraction=1.5)
    with pytest.raises(ValueError, match='min_samples=0'):
        SkipBrokenVideoDataset('x.txt', SAMPLER, min_samples=0)


def test_broken_videos_are_skipped_and_logged_once(tmp_path, video_root,
                                                   logged):
    names = [*GOOD, *BROKEN_KINDS]
    dataset = make_dataset(tmp_path, video_root, names,
                           max_broken_fraction=1.0)
    np.random.seed(0)
    good = {str(video_root / name) for name in GOOD}
    for _ in range(2):  # the second pass meets the same broken files
        for idx in range(len(dataset)):
            assert dataset[idx]['filename'] in good
    counts = dataset.broken_counts()
    assert counts['broken_files'] == len(BROKEN_KINDS)
    assert counts['loaded'] - counts['broken'] == 2 * len(names)
    reported = [m.split('skipping broken video ')[1].split(' (')[0]
                for m in logged]
    assert sorted(reported) == sorted(str(video_root / n)
                                      for n in BROKEN_KINDS)
    assert all('loads failed so far' in m for m in logged)
    assert any('file not found' in m for m in logged)


def test_short_video_is_looped_not_skipped(tmp_path, video_root, logged):
    dataset = make_dataset(tmp_path, video_root, ['short5.mp4'])
    sample = dataset[0]
    assert sample['total_frames'] == 5  # window of 4 x 2 = 8 frames
    assert sample['frame_inds'].max() < 5
    assert dataset.broken_counts()['broken'] == 0 and not logged


def test_header_claiming_more_frames_is_sampled_or_skipped(
        tmp_path, video_root, logged):
    # decord decodes ahead in a thread: the sampler either samples within
    # the frames that decode or gives up on the file; both are fine here
    dataset = make_dataset(tmp_path, video_root, [DAMAGED, 'good0.mp4'],
                           max_broken_fraction=1.0)
    np.random.seed(1)
    sample = dataset[0]
    if sample['filename'].endswith(DAMAGED):
        assert sample['total_frames'] < 40
        assert sample['frame_inds'].max() < sample['total_frames']
        assert dataset.broken_counts()['broken'] == 0
    else:
        assert dataset.broken_counts()['broken_files'] == 1
        assert DAMAGED in logged[0]


def test_stops_above_max_broken_fraction(tmp_path, video_root, logged):
    names = [*GOOD, *BROKEN_KINDS]  # 6 of 10 broken
    lenient = make_dataset(tmp_path, video_root, names,
                           max_broken_fraction=0.3, min_samples=1000)
    for idx in range(len(names)):  # below min_samples: no check yet
        lenient[idx]
    strict = make_dataset(tmp_path, video_root, names,
                          max_broken_fraction=0.3, min_samples=5)
    with pytest.raises(TooManyBrokenVideosError) as info:
        for idx in range(len(names)):
            strict[idx]
    message = str(info.value)
    assert 'more than max_broken_fraction=0.3 allows' in message
    assert f'tools/check_videos.py {tmp_path / "list.txt"}' in message
    assert f'--data-prefix {video_root}' in message
    assert any(str(video_root / n) in message for n in BROKEN_KINDS)


def test_test_mode_raises_instead_of_skipping(tmp_path, video_root):
    dataset = make_dataset(tmp_path, video_root, ['good0.mp4', 'random.mp4'],
                           test_mode=True)
    assert dataset[0]['filename'].endswith('good0.mp4')
    with pytest.raises(VideoReadError) as info:
        dataset[1]
    assert info.value.path == str(video_root / 'random.mp4')


def test_stock_decord_transforms_errors_are_skipped(tmp_path, video_root,
                                                    logged):
    pipeline = [dict(type='DecordInit'),
                dict(type='SampleFrames', clip_len=2, num_clips=1),
                dict(type='DecordDecode')]
    dataset = make_dataset(tmp_path, video_root,
                           ['missing.mp4', 'random.mp4', 'good1.mp4'],
                           pipeline=pipeline, max_broken_fraction=1.0)
    for idx in range(3):
        assert dataset[idx]['filename'].endswith('good1.mp4')
    assert dataset.broken_counts()['broken_files'] == 2
    assert any('FileNotFoundError' in m for m in logged)
    assert any('RuntimeError: Error reading' in m for m in logged)


def test_counts_are_shared_by_dataloader_workers(tmp_path, video_root):
    names = [*GOOD, *BROKEN_KINDS]
    dataset = make_dataset(tmp_path, video_root, names,
                           max_broken_fraction=1.0)
    loader = DataLoader(dataset, batch_size=2, num_workers=2,
                        collate_fn=list)
    samples = [s for batch in loader for s in batch]
    assert len(samples) == len(names)
    counts = dataset.broken_counts()  # read in the main process
    assert counts['broken_files'] == len(BROKEN_KINDS)
    assert counts['loaded'] - counts['broken'] == len(names)


def _buggy_transform(results):
    raise RuntimeError('a bug in a transform, not a broken video')


def test_other_errors_are_not_skipped(tmp_path, video_root):
    dataset = make_dataset(tmp_path, video_root, ['good0.mp4'],
                           pipeline=[_buggy_transform])
    with pytest.raises(RuntimeError, match='a bug in a transform'):
        dataset[0]
    assert dataset.broken_counts()['loaded'] == 0


def test_limit_error_reaches_the_main_process_from_a_worker(
        tmp_path, video_root, monkeypatch):
    names = [*GOOD, *BROKEN_KINDS]
    dataset = make_dataset(tmp_path, video_root, names,
                           max_broken_fraction=0.2, min_samples=3)
    loader = DataLoader(dataset, batch_size=2, num_workers=2,
                        collate_fn=list)
    with pytest.raises(TooManyBrokenVideosError,
                       match='more than max_broken_fraction=0.2'):
        for _ in loader:
            pass
    # The workers left behind by the error are reaped when the iterator is
    # collected, torch waiting up to 5 s for each: do it now, briefly.
    monkeypatch.setattr(torch.utils.data._utils, 'MP_STATUS_CHECK_INTERVAL',
                        0.2)
    gc.collect()


@pytest.fixture(scope='module')
def av1_root(tmp_path_factory) -> Path:
    """An AV1 file (decord 0.6.0 cannot open it) and a 'hang' copy of a
    good clip."""
    root = tmp_path_factory.mktemp('av1')
    write_encoded_video(root / 'av1.mp4', ENCODINGS['av1'], num_frames=20)
    write_video(root / 'good.mp4', gradient_frames(20))
    write_video(root / 'hang.mp4', gradient_frames(20))
    return root


def test_fallback_backend_reads_what_the_chosen_one_cannot(
        tmp_path, av1_root, monkeypatch):
    messages = []
    monkeypatch.setattr(relative_speed_sampler, 'print_log',
                        lambda msg, **kwargs: messages.append(msg))
    monkeypatch.setattr(relative_speed_sampler, '_LOGGED_FALLBACKS', set())
    sampler = [dict(SAMPLER[0], backend='decord')]
    dataset = make_dataset(tmp_path, av1_root, ['av1.mp4'], sampler)
    for _ in range(2):
        assert dataset[0]['total_frames'] == 20
    assert dataset.fallback_reads == {'pyav': 2}
    assert dataset.broken_counts()['broken'] == 0
    assert len(messages) == 1  # once per file
    assert messages[0].startswith(
        f'RelativeSpeedSampler: read {av1_root / "av1.mp4"} with pyav after '
        'decord: decord cannot open it')


def test_all_backends_failing_is_logged_with_each_reason(tmp_path,
                                                         video_root, logged):
    dataset = make_dataset(tmp_path, video_root, ['random.mp4', 'good0.mp4'],
                           max_broken_fraction=1.0)
    np.random.seed(0)
    assert dataset[0]['filename'].endswith('good0.mp4')
    assert len(logged) == 1
    assert ('random.mp4 (no backend reads it (pyav: PyAV cannot open it'
            in logged[0])
    assert '; decord: decord cannot open it' in logged[0]


def test_hanging_decoder_is_skipped_and_workers_stay_healthy(
        tmp_path, av1_root, monkeypatch):
    # Each DataLoader worker decodes in its own killable child process; the
    # file that hangs inside a GIL-holding C call costs 1 s and is skipped.
    monkeypatch.setitem(BACKENDS, 'hanging', HangingReader)
    sampler = [dict(SAMPLER[0], backend='hanging', fallback_backends=[],
                    decode_timeout=1.0, isolate_decoder=True)]
    names = ['good.mp4', 'hang.mp4', 'good.mp4', 'good.mp4']
    dataset = make_dataset(tmp_path, av1_root, names, sampler,
                           max_broken_fraction=1.0)
    loader = DataLoader(dataset, batch_size=2, num_workers=2,
                        collate_fn=list)
    start = time.perf_counter()
    samples = [s for _ in range(2) for batch in loader for s in batch]
    assert time.perf_counter() - start < 30
    assert len(samples) == 2 * len(names)
    assert all(s['filename'].endswith('good.mp4') for s in samples)
    counts = dataset.broken_counts()
    # twice in the list, more when mmengine's refetch draws it again
    assert counts['broken'] >= 2 and counts['broken_files'] == 1
    assert counts['loaded'] - counts['broken'] == 2 * len(names)
    with pytest.raises(VideoReadError, match='hang.mp4: decoding took '
                       'longer than decode_timeout=1 s'):
        dataset.test_mode = True
        dataset[1]
