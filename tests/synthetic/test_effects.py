"""Camera pan with parallax, lighting change, occluders, texture,
distractors and motion blur: off renders as before, on changes exactly what
it says."""
import math

import cv2
import numpy as np
import pytest

from rspnet_mm import synthetic as sm

BASE = dict(n_clips=1, val_fraction=0, size=32, min_frames=24,
            max_frames=24, rspnet_window=0, seed=4, kinds=('spin', ))


def _clip(**effects):
    spec = sm.make_clip_specs(sm.SyntheticMotionConfig(**BASE, **effects))[0]
    return spec, sm.render_clip(spec).astype(np.float32)


def _fast_pan_spec(**options):
    """The first clip (over seeds) whose camera moves at >= 90% of
    ``camera_pan`` (each clip draws its speed from 0 to camera_pan)."""
    for seed in range(100):
        spec = sm.make_clip_specs(sm.SyntheticMotionConfig(
            **dict(BASE, seed=seed, **options)))[0]
        amplitude, rate = sm.effects.draw_effects(spec)['pan'][:2]
        if amplitude * rate >= 0.9 * options['camera_pan']:
            return spec
    raise AssertionError('no clip pans at >= 90% of camera_pan')


def test_effects_off_leave_the_spec_and_the_frames_as_before():
    spec, frames = _clip()
    assert 'effects' not in spec
    plain = dict(spec)
    effected, _ = _clip(lighting=0.3)
    assert {k: v for k, v in effected.items() if k != 'effects'} == plain
    assert effected['effects'] == dict(camera_pan=0.0, lighting=0.3,
                                       occluders=0, texture=0.0,
                                       distractors=0, motion_blur=0.0)
    # the effect path with every effect at 0 draws the plain frames
    zeros = dict.fromkeys(effected['effects'], 0)
    np.testing.assert_array_equal(
        sm.render_clip(dict(spec, effects=zeros)), frames)


def test_lighting_scales_every_pixel_by_one_smooth_gain():
    _, plain = _clip()
    _, lit = _clip(lighting=0.3)
    gain = (lit.sum(axis=(1, 2, 3)) / plain.sum(axis=(1, 2, 3)))  # [T]
    assert gain.min() < 0.85 and gain.max() > 1.15  # about +-30%
    assert gain.min() > 0.65 and gain.max() < 1.35
    assert np.abs(np.diff(gain)).max() < 0.1  # one slow swing


def test_camera_speed_is_drawn_per_clip_up_to_camera_pan():
    cfg = sm.SyntheticMotionConfig(**dict(BASE, n_clips=60, camera_pan=0.5))
    speeds = np.array([np.prod(sm.effects.draw_effects(spec)['pan'][:2])
                       for spec in sm.make_clip_specs(cfg)])
    assert speeds.max() <= 0.5 + 1e-9
    assert speeds.min() < 0.1 and speeds.max() > 0.4  # still to fast
    assert 0.15 < speeds.mean() < 0.35  # uniform: mean 0.25


def test_camera_pan_moves_the_scene_smoothly():
    spec = dict(_fast_pan_spec(camera_pan=0.5), background='noise')
    panned = sm.render_clip(spec).astype(np.float32)
    still = sm.render_clip(dict(spec, effects=dict.fromkeys(
        spec['effects'], 0))).astype(np.float32)
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


def _gray(frame):
    return frame.astype(np.float32).mean(axis=2)


def test_camera_pan_moves_near_layers_more_than_far_ones():
    """Parallax: the sprite (depth 1) moves with the camera, the background
    BACKGROUND_DEPTH times as much."""
    spec = dict(_fast_pan_spec(size=64, min_frames=48, max_frames=48,
                               kinds=('zoom_pulse', ), camera_pan=1.0,
                               texture=0.6),
                shape='disc', texture='solid',
                colour='red', background='noise')
    frames = sm.render_clip(spec)
    params = sm.effects.draw_effects(spec)
    camera = sm.effects.camera_offset(params, np.arange(48))  # [T, 2]
    # the largest camera move that keeps the whole sprite in view
    centre = sm.sprite_track(spec)[:, :2] + camera
    reach = sm.clip_layout(spec)['sprite_radius'] * 1.35 + 2
    inside = ((centre > reach) & (centre < 64 - reach)).all(axis=1)
    t = int(np.where(inside, np.linalg.norm(camera, axis=1), 0).argmax())
    assert np.linalg.norm(camera[t]) > 4
    # the sprite: centroid of its red pixels
    red = np.array([230, 45, 45], np.float32)
    centroids = []
    for frame in (frames[0], frames[t]):
        near = np.abs(frame.astype(np.float32) - red).sum(axis=2) < 40
        ys, xs = np.nonzero(near)
        centroids.append(np.array([xs.mean(), ys.mean()]))
    np.testing.assert_allclose(centroids[1] - centroids[0], camera[t],
                               atol=0.5)
    # the background: the shift of frame 0 that best explains frame t
    # away from the sprite and the mirrored borders
    ys, xs = np.mgrid[:64, :64]
    far = np.hypot(xs - centre[t, 0], ys - centre[t, 1]) > reach + 2
    far &= np.hypot(xs - centre[0, 0], ys - centre[0, 1]) > reach + 2
    far[:8] = far[-8:] = far[:, :8] = far[:, -8:] = False
    first, last = _gray(frames[0]), _gray(frames[t])
    grid = np.arange(-8, 8.01, 0.25)
    errors = {(dx, dy): ((sm.effects.shift_image(
        first, np.array([dx, dy]), cv2.BORDER_REFLECT) - last)[far]**2).mean()
        for dx in grid for dy in grid}
    shift = min(errors, key=errors.get)
    np.testing.assert_allclose(
        shift, camera[t] * sm.effects.BACKGROUND_DEPTH, atol=0.3)


def test_distractors_drift_behind_and_in_front_at_their_own_speeds():
    cfg = sm.SyntheticMotionConfig(**dict(BASE, size=64, distractors=1))
    spec = dict(sm.make_clip_specs(cfg)[0], background='solid')
    plain = sm.render_clip(dict(spec, effects=dict.fromkeys(
        spec['effects'], 0))).astype(np.float32)
    frames = sm.render_clip(spec).astype(np.float32)
    (distractor, ) = sm.effects.draw_effects(spec)['distractors']
    track = sm.effects.distractor_track(distractor, np.arange(24), 64)
    sprite = sm.sprite_track(spec)[0, :2]  # spin: the centre stays
    radius = sm.clip_layout(spec)['sprite_radius']
    seen = 0
    for t in range(24):
        if np.linalg.norm(track[t] - sprite) < radius * 1.5 + \
                distractor['radius'] + 2:
            continue  # overlaps the sprite's reach
        ys, xs = np.nonzero(np.abs(frames[t] - plain[t]).sum(axis=2) > 30)
        np.testing.assert_allclose([xs.mean(), ys.mean()], track[t],
                                   atol=1.0)
        seen += 1
    assert seen >= 8
    step = np.linalg.norm(np.diff(track, axis=0), axis=1)
    assert step.max() == pytest.approx(distractor['speed'])
    # several: depths on both sides of the sprite, sorted back to front,
    # speeds and headings of their own
    many = dict(spec, effects=dict(spec['effects'], distractors=4))
    objects = sm.effects.draw_effects(many)['distractors']
    depths = [d['depth'] for d in objects]
    assert depths == sorted(depths)
    assert sum(d < 1 for d in depths) == 2 and sum(d > 1 for d in depths) == 2
    assert len({round(d['speed'], 6) for d in objects}) == 4
    assert len({round(d['heading'], 6) for d in objects}) == 4


def test_motion_blur_smears_what_moves_and_only_that():
    cfg = sm.SyntheticMotionConfig(**dict(BASE, size=64,
                                          kinds=('translate', ),
                                          motion_blur=0.8))
    spec = dict(sm.make_clip_specs(cfg)[0], background='solid',
                texture='solid', speed=3.0)
    sharp_spec = dict(spec, effects=dict(spec['effects'], motion_blur=0))
    sharp = sm.render_clip(sharp_spec).astype(np.float32)
    blurred = sm.render_clip(spec).astype(np.float32)
    # the same light on the whole, but softer edges along the motion
    np.testing.assert_allclose(blurred.mean(axis=(1, 2, 3)),
                               sharp.mean(axis=(1, 2, 3)), atol=0.5)

    heading = sm.clip_layout(spec)['heading']

    def edge_along_motion(frames):
        dy, dx = np.gradient(frames, axis=(1, 2))
        return ((math.cos(heading) * dx + math.sin(heading) * dy)**2).sum()

    # a ramp of w px has 1/w of the squared gradient of a step: a 2.4 px
    # smear of the moving edges
    assert edge_along_motion(blurred) < 0.85 * edge_along_motion(sharp)
    # a still sprite is not blurred
    still = dict(spec, speed=0.0)
    np.testing.assert_allclose(
        sm.render_clip(still).astype(np.float32),
        sm.render_clip(dict(sharp_spec, speed=0.0)).astype(np.float32),
        atol=1)


@pytest.mark.parametrize('options, message', [
    (dict(camera_pan=-1.0), 'camera_pan=-1.0: must be >= 0'),
    (dict(lighting=1.0), r'lighting=1.0: must be in \[0, 1\)'),
    (dict(occluders=-2), 'occluders=-2: must be >= 0'),
    (dict(texture=1.0), r'texture=1.0: must be in \[0, 1\)'),
    (dict(distractors=-1), 'distractors=-1: must be >= 0'),
    (dict(motion_blur=1.0), r'motion_blur=1.0: must be in \[0, 1\)'),
])
def test_bad_effect_options_raise_clear_errors(options, message):
    with pytest.raises(ValueError, match=message):
        sm.SyntheticMotionConfig(**BASE, **options)
