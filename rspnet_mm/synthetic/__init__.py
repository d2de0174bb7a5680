"""Synthetic motion videos: labelled clips whose classes depend on motion.

Each clip shows one textured sprite on a background. The sprite is moved by
one *motion kind* (translate, orbit, spin, oscillate, zoom pulse) at one
*speed band* (slow, fast, ...), while its appearance (shape, colour,
texture) and the background are drawn at random per clip, independently of
the motion. A representation must therefore capture motion to tell the
motion classes apart, and the appearance attributes give control probes.
Options make the clips look more like footage (:mod:`.effects`): a moving
camera with parallax, lighting change, occluders, a natural-looking
background texture, other objects moving at their own depths and speeds,
and motion blur.

Speeds. The slowest band of each kind moves at ``BASE_SPEED[kind]`` (a
fraction of the frame size per frame for ``translate``, radians per frame for
the others); band ``b`` moves ``speed_ratio ** b`` times faster, with a
log-uniform per-clip jitter of at most ``speed_jitter`` either way. The
options are checked so that a clip sub-sampled by the RSPNet sampler (1x or
``max_subsample`` x) neither aliases nor looks like a clip of another band.

Output layout of :func:`generate_dataset` (``out_dir``)::

    videos/train/clip_000000.mp4 ...   videos/val/clip_000007.mp4 ...
    train_list.txt, val_list.txt       ``relative/path.mp4 label`` lines,
                                       paths relative to ``videos/``
    classes.txt                        class names in label order
    labels/<label_by>/{train_list,val_list,classes}.txt   for every label
    metadata.jsonl                     one JSON record per clip
    generation.json                    the options and the class names

Frames are RGB ``uint8`` arrays of shape (T, H, W, 3) in memory; the mp4
files (OpenCV ``mp4v``) decode with decord to the same frame count and size.
"""
from .config import (
    APPEARANCE,
    BACKGROUNDS,
    BASE_SPEED,
    COLOURS,
    LABEL_OPTIONS,
    MAX_STEP,
    MOTION_KINDS,
    SHAPES,
    SPEED_UNITS,
    TEXTURES,
    SyntheticMotionConfig,
)
from .files import (
    generate_dataset,
    load_metadata,
    write_annotation_lists,
    write_clip,
)
from .motion import clip_layout, make_clip_specs, sprite_track
from .render import iter_frames, render_clip

__all__ = [
    'APPEARANCE', 'BACKGROUNDS', 'BASE_SPEED', 'COLOURS', 'LABEL_OPTIONS',
    'MAX_STEP', 'MOTION_KINDS', 'SHAPES', 'SPEED_UNITS', 'TEXTURES',
    'SyntheticMotionConfig', 'clip_layout', 'generate_dataset',
    'iter_frames', 'load_metadata', 'make_clip_specs', 'render_clip',
    'sprite_track', 'write_annotation_lists', 'write_clip'
]
