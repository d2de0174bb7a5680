"""Backbone features on disk: extraction in shards (resumable, DDP), the
reader, and retrieval recall from two folders (``tools/extract_features.py``,
``tools/retrieval.py --features``)."""
from .extraction import extract
from .recall import recall_from_features
from .shards import load_features

__all__ = ['extract', 'load_features', 'recall_from_features']
