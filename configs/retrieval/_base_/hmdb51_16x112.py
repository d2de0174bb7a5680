# Retrieval on hmdb51 16x112 clips (rspnet-reference.md §4): queries = the
# test split through the test pipeline (10 evenly spaced clips, globally
# pooled, averaged), gallery = the train split through the same pipeline
# (the official code augmented it; we do not), cosine, R@1/5/10/20/50.
_base_ = ['../../finetune/_base_/datasets/hmdb51_16x112.py']
test_evaluator = dict(type='VideoRetrievalMetric', topk=(1, 5, 10, 20, 50))
gallery_dataloader = dict(_base_.test_dataloader, dataset=dict(
    _base_.test_dataloader.dataset, ann_file=_base_.ann_file_train))
