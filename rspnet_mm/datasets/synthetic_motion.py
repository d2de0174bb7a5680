"""Deprecated location of :mod:`rspnet_mm.synthetic` (the synthetic motion
generator), kept for one release: import ``rspnet_mm.synthetic`` instead."""
import warnings

from rspnet_mm.synthetic import *  # noqa: F401,F403
from rspnet_mm.synthetic import __all__  # noqa: F401

warnings.warn('rspnet_mm.datasets.synthetic_motion moved to '
              'rspnet_mm.synthetic; update the import', DeprecationWarning,
              stacklevel=2)
