"""The backbones RSPNet was published with (S3DG, VCOPC3D, VCOPR2Plus1D,
HaraResNet3D) and the demo's LiteC3D, registered in MMAction2's MODELS.
Each of RSPNet's modules also holds the table mapping the official
checkpoint keys to its own (``OFFICIAL_KEYS``)."""
from .backbone_checkpoint import (
    BackboneStateError,
    check_backbone_state_dict,
    load_backbone_checkpoint,
)
from .base_video_backbone import BaseVideoBackbone
from .hara_resnet3d import HaraResNet3D
from .lite_c3d import LiteC3D
from .s3dg import S3DG
from .vcop_c3d import VCOPC3D
from .vcop_r2plus1d import VCOPR2Plus1D

__all__ = [
    'BaseVideoBackbone', 'S3DG', 'VCOPC3D', 'VCOPR2Plus1D', 'HaraResNet3D',
    'LiteC3D', 'BackboneStateError', 'check_backbone_state_dict',
    'load_backbone_checkpoint'
]
