# Frozen-feature extraction for the demo's probes: the backbone's output
# pooled over space-time and averaged over 4 evenly spaced 16-frame clips,
# written by VideoRetrievalMetric(dump_features=...) as an .npz.
_base_ = ['finetune_litec3d_synthetic.py']
model = dict(cls_head=dict(_delete_=True, type='VideoFeatureHead',
                           in_channels=128))
test_evaluator = dict(_delete_=True, type='VideoRetrievalMetric',
                      topk=(1, 5))
