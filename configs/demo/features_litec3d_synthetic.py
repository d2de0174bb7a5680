# Frozen-feature extraction for the demo's probes: the backbone's output
# pooled over space-time, per clip and averaged over 4 evenly spaced
# 16-frame clips, written as .npy shards by tools/extract_features.py
# (rspnet_mm.features); as a test config, VideoRetrievalMetric gives R@k.
_base_ = ['finetune_litec3d_synthetic.py']
model = dict(cls_head=dict(_delete_=True, type='VideoFeatureHead',
                           in_channels=128))
test_evaluator = dict(_delete_=True, type='VideoRetrievalMetric',
                      topk=(1, 5))
