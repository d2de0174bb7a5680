from .video_retrieval_metric import VideoRetrievalMetric

__all__ = ['VideoRetrievalMetric']
