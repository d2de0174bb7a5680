from .representation_monitor_metric import RepresentationMonitorMetric
from .video_retrieval_metric import VideoRetrievalMetric

__all__ = ['RepresentationMonitorMetric', 'VideoRetrievalMetric']
