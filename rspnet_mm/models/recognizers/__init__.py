"""Recognizers (pretraining models) of the RSPNet plugin."""
from .rspnet import RSPNet

__all__ = ['RSPNet']
