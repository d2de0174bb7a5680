"""RSPNet's projection heads and their losses."""
from .avid_head import AVIDHead, instance_logits
from .rsp_head import RSPHead, relative_speed_hinge
from .video_feature_head import VideoFeatureHead
from .video_projection_head import VideoProjectionHead

__all__ = [
    'AVIDHead', 'RSPHead', 'VideoFeatureHead', 'VideoProjectionHead',
    'instance_logits', 'relative_speed_hinge'
]
