# Retrieval version of the tiny test recipe: pooled features, the gallery
# read through the test pipeline. The test fills in the data paths.
_base_ = ['tiny_recognizer.py']
model = dict(cls_head=dict(_delete_=True, type='VideoFeatureHead',
                           in_channels=16))
test_evaluator = dict(_delete_=True, type='VideoRetrievalMetric',
                      topk=(1, 2, 10))
gallery_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='VideoDataset', ann_file='',
                 data_prefix=dict(video=''),
                 pipeline={{_base_.test_pipeline}}, test_mode=True))
