"""Synthetic motion specs and tracks: balance, stratified val, smoothness."""
from collections import Counter

import numpy as np

from rspnet_mm import synthetic as sm


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
