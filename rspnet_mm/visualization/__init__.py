"""Where a backbone looks: Grad-CAM of recognizers and RSPNet checkpoints
(``tools/visualize_cam.py``); the maps themselves are in
:mod:`rspnet_mm.visualization.grad_cam`."""
from .cam_figures import overlay, write_cam_figures
from .video_cam import VideoCam, load_inputs, video_cam

__all__ = [
    'VideoCam', 'load_inputs', 'overlay', 'video_cam', 'write_cam_figures'
]
