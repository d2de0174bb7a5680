"""Backbone features on disk: extraction in shards (resumable, DDP) and the
reader that tools take them from (``tools/extract_features.py``)."""
from .extraction import extract
from .shards import load_features

__all__ = ['extract', 'load_features']
