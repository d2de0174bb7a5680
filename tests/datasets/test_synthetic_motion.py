"""Synthetic motion set: files, lists, determinism, speeds, bad options."""
import json
import math
from collections import Counter

import decord
import numpy as np
import pytest

from rspnet_mm.datasets import synthetic_motion as sm

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


def test_class_names_in_label_order():
    cfg = sm.SyntheticMotionConfig(speed_bands=3, speed_ratio=3,
                                   speed_jitter=1.1, kinds=('spin', 'orbit'))
    assert cfg.class_names() == [
        'spin_slow', 'spin_medium', 'spin_fast',
        'orbit_slow', 'orbit_medium', 'orbit_fast']
    assert cfg.class_names('kind') == ['spin', 'orbit']
    assert cfg.class_names('speed') == ['slow', 'medium', 'fast']
    assert cfg.class_names('colour') == list(sm.COLOURS)
    assert cfg.band_speed('orbit', 2) == pytest.approx(9 * 2 * math.pi / 96)
    assert cfg.band_speed('translate', 1) == pytest.approx(3 * 0.012 * 112)


def test_motion_classes_balanced_and_val_stratified():
    cfg = sm.SyntheticMotionConfig(n_clips=43, val_fraction=0.25)
    specs = sm.make_clip_specs(cfg)
    counts = Counter(spec['labels']['kind_speed'] for spec in specs)
    assert len(counts) == 10 and max(counts.values()) <= 5
    assert min(counts.values()) >= 4
    val = [spec['labels']['kind_speed'] for spec in specs
           if spec['split'] == 'val']
    assert len(val) == round(43 * 0.25)
    assert max(Counter(val).values()) - min(Counter(val).values()) <= 1
    assert len(set(val)) == 10


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


def _translate_pair():
    """A slow and a fast translate spec on a plain background."""
    cfg = sm.SyntheticMotionConfig(n_clips=2, val_fraction=0, size=64,
                                   min_frames=24, max_frames=24,
                                   kinds=('translate',), seed=3,
                                   rspnet_window=0)
    specs = sorted(sm.make_clip_specs(cfg), key=lambda s: s['speed_band'])
    return [dict(spec, background='solid', texture='solid')
            for spec in specs]


def _mean_centroid_step(spec):
    """Mean per-frame move of the sprite's centroid, measured on frames."""
    frames = sm.render_clip(spec).astype(np.float32)
    colour = sm.clip_layout(spec)['background_colours'][0]
    background = np.floor(np.array(colour) + 0.5)  # as the frames round
    weight = np.abs(frames - background).sum(axis=3)  # 0 off the sprite
    ys, xs = np.mgrid[:spec['size'], :spec['size']]
    mass = weight.sum(axis=(1, 2))
    centroid = np.stack([(weight * xs).sum((1, 2)) / mass,
                         (weight * ys).sum((1, 2)) / mass], axis=1)
    return np.linalg.norm(np.diff(centroid, axis=0), axis=1)


def test_sprite_moves_at_the_spec_speed_fast_band_faster():
    slow, fast = _translate_pair()
    assert (slow['speed_name'], fast['speed_name']) == ('slow', 'fast')
    steps = {}
    for spec in (slow, fast):
        step = _mean_centroid_step(spec)
        # frames that bounce off a wall move less; the rest at the speed
        track = sm.sprite_track(spec)[:, :2]
        straight = np.linalg.norm(np.diff(track, axis=0), axis=1) > \
            spec['speed'] - 1e-6
        assert straight.sum() >= 15
        steps[spec['speed_name']] = step[straight].mean()
        assert steps[spec['speed_name']] == pytest.approx(spec['speed'],
                                                          rel=0.03)
    ratio = steps['fast'] / steps['slow']
    assert ratio == pytest.approx(fast['speed'] / slow['speed'], rel=0.05)
    assert 3 / 1.2**2 <= ratio <= 3 * 1.2**2


def _motion_energy(frames):
    return np.abs(np.diff(frames.astype(np.float32), axis=0)).mean()


def test_every_kind_stays_distinguishable_after_2x_subsampling():
    cfg = sm.SyntheticMotionConfig(n_clips=1, val_fraction=0, size=64,
                                   min_frames=32, max_frames=32,
                                   rspnet_window=0)
    base = dict(sm.make_clip_specs(cfg)[0], shape='square',
                texture='stripes', background='solid')
    for kind in sm.MOTION_KINDS:
        slow, fast = (sm.render_clip(dict(base, kind=kind, speed_band=b,
                                          speed=cfg.band_speed(kind, b)))
                      for b in (0, 1))
        assert _motion_energy(fast) > 1.8 * _motion_energy(slow), kind
        # slow clips seen at 2x still look slower than fast ones at 1x
        assert _motion_energy(fast) > _motion_energy(slow[::2]), kind
        assert _motion_energy(slow) > 0.05, kind


def test_tracks_smooth_and_sprite_in_view():
    cfg = sm.SyntheticMotionConfig(n_clips=30, size=48, min_frames=64,
                                   max_frames=96, seed=11)
    for spec in sm.make_clip_specs(cfg):
        layout = sm.clip_layout(spec)
        track = sm.sprite_track(spec, layout)
        assert track.shape == (spec['n_frames'], 4)
        radius = layout['sprite_radius'] * track[:, 3]
        assert (track[:, 0] - radius >= -1e-9).all(), spec['kind']
        assert (track[:, 0] + radius <= 48 + 1e-9).all(), spec['kind']
        assert (track[:, 1] - radius >= -1e-9).all(), spec['kind']
        assert (track[:, 1] + radius <= 48 + 1e-9).all(), spec['kind']
        step = np.linalg.norm(np.diff(track[:, :2], axis=0), axis=1)
        turn = np.abs(np.diff(track[:, 2]))
        zoom = np.abs(np.diff(track[:, 3]))
        if spec['kind'] == 'translate':
            assert step.max() <= spec['speed'] + 1e-9
        else:
            # no jumps: a step is at most speed x reach (radians x px)
            assert step.max() <= spec['speed'] * layout['reach'] + 1e-9
            assert turn.max() <= spec['speed'] + 1e-9
            assert zoom.max() <= spec['speed'] * 0.35 + 1e-9


@pytest.mark.parametrize('options, message', [
    (dict(n_clips=0), 'n_clips=0: no clips to write'),
    (dict(min_frames=40), r'min_frames=40: shorter than two RSPNet windows '
     r'of 32 frames \(64\); raise min_frames to at least 64'),
    (dict(label_by='size'), "label_by='size': unknown label option"),
    (dict(size=33), 'size=33: must be even'),
    (dict(max_frames=50), 'max_frames=50: shorter than min_frames=64'),
    (dict(kinds=('jump',)), "unknown motion kind 'jump'"),
    (dict(kinds=()), 'no motion kind'),
    (dict(val_fraction=1.0), r'val_fraction=1.0: must be in \[0, 1\)'),
    (dict(speed_ratio=2.0), 'speed_ratio=2.0: a band sub-sampled 2x would '
     'move as fast as the next band'),
    (dict(speed_bands=4), 'speed_bands=4: the fastest translate band .* would '
     'alias; use fewer speed bands'),
    (dict(fps=0), 'fps=0: must be positive'),
    (dict(n_clips=2.5), 'n_clips=2.5: must be an integer'),
])
def test_bad_options_raise_clear_errors(options, message):
    with pytest.raises(ValueError, match=message):
        sm.SyntheticMotionConfig(**options)


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
