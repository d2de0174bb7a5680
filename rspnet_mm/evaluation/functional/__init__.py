from .retrieval import cosine_topk, retrieval_recall

__all__ = ['cosine_topk', 'retrieval_recall']
