"""Synthetic motion set on disk: files, lists, metadata, determinism,
bad calls, and the deprecated import path."""
import importlib
import json
import sys

import decord
import numpy as np
import pytest

from rspnet_mm import synthetic as sm

TINY = dict(n_clips=7, val_fraction=0.3, size=32, min_frames=8,
            max_frames=12, seed=5, rspnet_window=0)


@pytest.fixture(scope='module')
def tiny_set(tmp_path_factory):
    """A generated 7-clip set of 32 px, 8-12 frame clips."""
    out = tmp_path_factory.mktemp('synthetic_motion')
    cfg = sm.SyntheticMotionConfig(**TINY)
    return cfg, out, sm.generate_dataset(cfg, out)


def _read_list(path):
    return [(line.split()[0], int(line.split()[1]))
            for line in path.read_text().splitlines()]


def test_clips_decode_with_frame_count_size_and_colours(tiny_set):
    cfg, out, records = tiny_set
    assert len(records) == 7
    for record in records:
        video = out / 'videos' / record['path']
        assert video.is_file()
        assert record['path'].startswith(record['split'] + '/')
        assert cfg.min_frames <= record['n_frames'] <= cfg.max_frames
        reader = decord.VideoReader(str(video))
        assert len(reader) == record['n_frames']
        assert reader.get_avg_fps() == pytest.approx(cfg.fps)
        decoded = reader.get_batch(range(len(reader))).asnumpy()
        assert decoded.shape == (record['n_frames'], 32, 32, 3)
        # RGB in, RGB out: the lossy codec keeps every channel close
        rendered = sm.render_clip(record).astype(np.float32)
        error = np.abs(decoded.astype(np.float32) - rendered)
        assert error.mean(axis=(0, 1, 2)).max() < 8


def test_metadata_records_every_attribute(tiny_set):
    cfg, out, records = tiny_set
    lines = (out / 'metadata.jsonl').read_text().splitlines()
    assert [json.loads(line) for line in lines] == records
    assert sm.load_metadata(out) == records
    keys = {'index', 'path', 'split', 'kind', 'speed_band', 'speed_name',
            'speed', 'speed_unit', 'shape', 'colour', 'texture',
            'background', 'n_frames', 'size', 'fps', 'seed', 'labels',
            'layout'}
    for record in records:
        assert set(record) == keys
        assert record['size'] == 32 and record['fps'] == 25.0
        assert record['speed_name'] == cfg.band_names[record['speed_band']]
        centre = cfg.band_speed(record['kind'], record['speed_band'])
        assert centre / 1.2 <= record['speed'] <= centre * 1.2
        for attr, values in sm.APPEARANCE.items():
            assert record[attr] in values
    generation = json.loads((out / 'generation.json').read_text())
    assert generation['config'] == cfg.to_dict()
    assert generation['classes']['kind_speed'][:2] == [
        'translate_slow', 'translate_fast']


def test_lists_and_classes_match_metadata_for_every_label(tiny_set):
    cfg, out, records = tiny_set
    by_path = {record['path']: record for record in records}
    folders = {label: out / 'labels' / label for label in sm.LABEL_OPTIONS}
    folders[None] = out  # top level: the default label, kind x speed
    for label, folder in folders.items():
        names = (folder / 'classes.txt').read_text().splitlines()
        assert names == cfg.class_names(label)
        listed = []
        for split in ('train', 'val'):
            for path, index in _read_list(folder / f'{split}_list.txt'):
                record = by_path[path]
                assert record['split'] == split
                assert record['labels'][label or cfg.label_by] == index
                name = names[index]
                if label in sm.APPEARANCE:
                    assert name == record[label]
                elif label == 'speed':
                    assert name == record['speed_name']
                elif label == 'kind':
                    assert name == record['kind']
                else:
                    assert name == f'{record["kind"]}_{record["speed_name"]}'
                listed.append(path)
        assert sorted(listed) == sorted(by_path)


def test_label_option_sets_the_top_level_lists(tmp_path):
    cfg = sm.SyntheticMotionConfig(**dict(TINY, n_clips=3, label_by='shape'))
    records = sm.generate_dataset(cfg, tmp_path)
    names = (tmp_path / 'classes.txt').read_text().splitlines()
    assert names == list(sm.SHAPES)
    lines = _read_list(tmp_path / 'train_list.txt')
    lines += _read_list(tmp_path / 'val_list.txt')
    shapes = {record['path']: record['shape'] for record in records}
    assert {path: names[index] for path, index in lines} == shapes


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    cfg = sm.SyntheticMotionConfig(**dict(TINY, n_clips=3))
    first = sm.generate_dataset(cfg, tmp_path / 'a')
    second = sm.generate_dataset(cfg, tmp_path / 'b')
    assert first == second
    files = sorted(p.relative_to(tmp_path / 'a')
                   for p in (tmp_path / 'a').rglob('*') if p.is_file())
    assert len(files) == 3 + 5 + 3 * len(sm.LABEL_OPTIONS)
    for name in files:
        assert (tmp_path / 'a' / name).read_bytes() == \
            (tmp_path / 'b' / name).read_bytes(), name
    other = sm.make_clip_specs(sm.SyntheticMotionConfig(**dict(TINY,
                                                               seed=6)))
    assert [s['seed'] for s in other] != [s['seed'] for s in first]
    spec = dict(first[0])
    frames = sm.render_clip(spec)
    assert np.array_equal(frames, sm.render_clip(dict(spec)))
    assert not np.array_equal(frames,
                              sm.render_clip(dict(spec, seed=spec['seed']
                                                  + 1)))


def test_bad_calls_raise_clear_errors(tmp_path):
    cfg = sm.SyntheticMotionConfig(**TINY)
    with pytest.raises(ValueError, match="label_by='size'"):
        cfg.class_names('size')
    with pytest.raises(ValueError, match='workers=-1'):
        sm.generate_dataset(cfg, tmp_path, workers=-1)
    frames = np.zeros((2, 16, 16, 3), np.uint8)
    with pytest.raises(OSError, match='cannot open .*missing.*writable'):
        sm.write_clip(frames, tmp_path / 'missing' / 'x.mp4', 25)
    with pytest.raises(FileNotFoundError, match='metadata.jsonl not found'):
        sm.load_metadata(tmp_path)
    (tmp_path / 'metadata.jsonl').write_text('{"index": 0}\nnot json\n')
    with pytest.raises(ValueError, match=r'metadata.jsonl:2: not a JSON'):
        sm.load_metadata(tmp_path)


def test_workers_give_the_same_files(tmp_path):
    cfg = sm.SyntheticMotionConfig(**dict(TINY, n_clips=2))
    sm.generate_dataset(cfg, tmp_path / 'one')
    sm.generate_dataset(cfg, tmp_path / 'two', workers=2)
    for path in (tmp_path / 'one').rglob('*.mp4'):
        twin = tmp_path / 'two' / path.relative_to(tmp_path / 'one')
        assert twin.read_bytes() == path.read_bytes()


def test_mmaction_video_dataset_reads_the_lists(tiny_set):
    from mmaction.datasets import VideoDataset
    from mmaction.datasets.transforms import (
        DecordDecode,
        DecordInit,
        SampleFrames,
    )

    cfg, out, records = tiny_set
    pipeline = [DecordInit(),
                SampleFrames(clip_len=4, frame_interval=2, num_clips=1,
                             test_mode=True),
                DecordDecode()]
    dataset = VideoDataset(str(out / 'val_list.txt'), pipeline,
                           data_prefix=dict(video=str(out / 'videos')),
                           test_mode=True)
    val = [r for r in records if r['split'] == 'val']
    assert len(dataset) == len(val) == 2
    sample = dataset[0]
    assert sample['label'] == val[0]['labels']['kind_speed']
    assert sample['total_frames'] == val[0]['n_frames']
    assert len(sample['imgs']) == 4 and sample['imgs'][0].shape == (32, 32, 3)


def test_old_import_path_warns_and_gives_the_same_functions():
    sys.modules.pop('rspnet_mm.datasets.synthetic_motion', None)
    with pytest.warns(DeprecationWarning, match='rspnet_mm.synthetic'):
        old = importlib.import_module('rspnet_mm.datasets.synthetic_motion')
    assert old.generate_dataset is sm.generate_dataset
    assert old.SyntheticMotionConfig is sm.SyntheticMotionConfig
    assert sorted(old.__all__) == sorted(sm.__all__)
