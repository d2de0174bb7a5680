"""Synthetic motion options: class names, band speeds, bad options."""
import math

import pytest

from rspnet_mm import synthetic as sm


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
