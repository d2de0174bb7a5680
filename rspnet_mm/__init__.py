"""RSPNet for MMAction2 1.x.

Importing this package first applies the fixes for the pinned upstream stack
(``rspnet_mm.compat``), then registers the plugin's datasets, transforms,
models and metrics into MMAction2's registries.
"""
from .compat import apply_all as _apply_upstream_fixes

_apply_upstream_fixes()

from . import datasets, engine, evaluation, models  # noqa: E402,F401

__version__ = '0.1.0'
