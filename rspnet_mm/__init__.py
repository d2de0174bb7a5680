"""RSPNet for MMAction2 1.x.

Importing this package first applies the import-time fixes for the pinned
upstream stack (``rspnet_mm.compat``), then registers the plugin's
datasets, transforms, models, metrics and runtime components (hooks, loops,
samplers, runner) into MMAction2's registries.
"""
import warnings as _warnings

# mmcv-lite lacks an op this project never uses and mmcv warns about it on
# import; filtered before the first mmcv import (tools/ import rspnet_mm
# before mmaction).
_warnings.filterwarnings('ignore', 'Fail to import ``MultiScaleDeformable')

from .compat import apply_all as _apply_upstream_fixes  # noqa: E402

_apply_upstream_fixes()

from . import datasets, engine, evaluation, models  # noqa: E402,F401
from .compat import color_jitter_numpy2  # noqa: E402,F401  (registers)

__version__ = '0.1.0'
