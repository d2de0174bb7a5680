"""Synthetic motion rendering: measured speeds, motion after sub-sampling."""
import numpy as np
import pytest

from rspnet_mm import synthetic as sm


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
