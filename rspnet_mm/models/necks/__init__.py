"""Necks that add RSPNet losses to ordinary MMAction2 recognizers."""
from .rsp_aux_neck import RSPAuxNeck

__all__ = ['RSPAuxNeck']
