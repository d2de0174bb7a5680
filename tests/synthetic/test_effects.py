"""Camera pan, lighting change and occluders: off renders as before, on
changes exactly what it says."""
import numpy as np
import pytest

from rspnet_mm import synthetic as sm

BASE = dict(n_clips=1, val_fraction=0, size=32, min_frames=24,
            max_frames=24, rspnet_window=0, seed=4, kinds=('spin', ))


def _clip(**effects):
    spec = sm.make_clip_specs(sm.SyntheticMotionConfig(**BASE, **effects))[0]
    return spec, sm.render_clip(spec).astype(np.float32)


def test_effects_off_leave_the_spec_and_the_frames_as_before():
    spec, frames = _clip()
    assert 'effects' not in spec
    plain = dict(spec)
    effected, _ = _clip(lighting=0.3)
    assert {k: v for k, v in effected.items() if k != 'effects'} == plain
    assert effected['effects'] == dict(camera_pan=0.0, lighting=0.3,
                                       occluders=0, texture=0.0)


def test_lighting_scales_every_pixel_by_one_smooth_gain():
    _, plain = _clip()
    _, lit = _clip(lighting=0.3)
    gain = (lit.sum(axis=(1, 2, 3)) / plain.sum(axis=(1, 2, 3)))  # [T]
    assert gain.min() < 0.85 and gain.max() > 1.15  # about +-30%
    assert gain.min() > 0.65 and gain.max() < 1.35
    assert np.abs(np.diff(gain)).max() < 0.1  # one slow swing


def test_camera_pan_moves_the_whole_frame_smoothly():
    _, still = _clip()
    _, panned = _clip(camera_pan=0.5)
    np.testing.assert_allclose(panned[0], still[0], atol=1)  # starts still
    assert np.abs(panned - still).mean() > 1  # then the scene moves
    # background motion appears: a spinning sprite leaves the background
    # still, the pan moves it everywhere
    corner = (slice(None), slice(0, 4), slice(0, 4))
    assert np.abs(np.diff(still[corner], axis=0)).mean() < 0.5
    assert np.abs(np.diff(panned[corner], axis=0)).mean() > 0.1


def test_occluders_stand_still_in_front():
    spec, frames = _clip(occluders=2)
    bars = sm.effects.draw_effects(spec)['bars']
    assert len(bars) == 2
    expected = np.full(frames.shape[1:3], -1.0)
    for x0, y0, x1, y1, grey in bars:  # later bars in front
        expected[y0:y1, x0:x1] = grey
    covered = expected >= 0
    assert covered.mean() > 0.05
    # the same grey in every frame and channel wherever a bar stands
    assert (frames[:, covered] == expected[covered][None, :, None]).all()


def test_texture_varies_a_plain_background_at_several_scales():
    base = dict(BASE, kinds=('spin', ))
    spec = dict(sm.make_clip_specs(sm.SyntheticMotionConfig(**base))[0],
                background='solid')
    plain = sm.render_clip(spec)[0].astype(np.float32)
    textured = sm.render_clip(dict(spec, effects=dict(
        camera_pan=0, lighting=0, occluders=0, texture=0.4)))[0]
    ratio = textured.astype(np.float32) / np.maximum(plain, 1)
    corner = ratio[:6, :6].mean(axis=2)  # background only
    assert corner.std() > 0.02  # no longer flat
    assert 0.55 < ratio.min() and ratio.max() < 1.45  # within 1 +- 0.4
    sm.SyntheticMotionConfig(**base, texture=0.4)  # a valid option


@pytest.mark.parametrize('options, message', [
    (dict(camera_pan=-1.0), 'camera_pan=-1.0: must be >= 0'),
    (dict(lighting=1.0), r'lighting=1.0: must be in \[0, 1\)'),
    (dict(occluders=-2), 'occluders=-2: must be >= 0'),
    (dict(texture=1.0), r'texture=1.0: must be in \[0, 1\)'),
])
def test_bad_effect_options_raise_clear_errors(options, message):
    with pytest.raises(ValueError, match=message):
        sm.SyntheticMotionConfig(**BASE, **options)
