"""Stand-in for ``mmaction.models.localizers.drn``, missing from the wheel.

Upstream: mmaction2 1.2.0 on PyPI ships ``localizers/__init__.py`` importing
``.drn.drn`` but not the ``drn/`` folder itself (open-mmlab/mmaction2#2714),
so ``import mmaction.models`` fails with ``No module named
'mmaction.models.localizers.drn'``.

Fix: register empty modules for ``mmaction.models.localizers.drn`` and
``...drn.drn`` (exposing a ``DRN`` placeholder that raises when built) in
``sys.modules`` before ``mmaction.models`` is imported.

Remove when: ``pip download mmaction2==<new>`` contains
``mmaction/models/localizers/drn/drn.py``; then :func:`apply` becomes a no-op
automatically, because the real module is found first.
"""
import importlib.util
import sys
import types

_PKG = 'mmaction.models.localizers.drn'


class _MissingDRN:
    """Placeholder for the DRN localizer that the wheel does not contain."""

    def __init__(self, *args, **kwargs):
        raise ImportError(
            'DRN is not part of the mmaction2 1.2.0 wheel (upstream issue '
            '#2714); install mmaction2 from source to use it.')


def _drn_is_shipped() -> bool:
    spec = importlib.util.find_spec('mmaction')
    if spec is None or not spec.submodule_search_locations:
        return False
    import os
    root = list(spec.submodule_search_locations)[0]
    return os.path.isfile(
        os.path.join(root, 'models', 'localizers', 'drn', 'drn.py'))


def apply() -> bool:
    """Install the stub modules if the wheel lacks DRN.

    Returns:
        bool: True when the stub was installed, False when not needed.
    """
    if _PKG in sys.modules or _drn_is_shipped():
        return False
    package = types.ModuleType(_PKG)
    package.__path__ = []  # mark it as a package
    module = types.ModuleType(_PKG + '.drn')
    module.DRN = _MissingDRN
    package.drn = module
    sys.modules[_PKG] = package
    sys.modules[_PKG + '.drn'] = module
    return True
