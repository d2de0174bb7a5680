# UCF101 video retrieval (rspnet-reference.md §4): frozen backbone, 10
# evenly spaced clips per video, global average pool, averaged; query =
# test split, gallery = train split, cosine similarity, R@1/5/10/20/50.
# Run: python tools/retrieval.py configs/retrieval/retrieval_s3dg_ucf101.py CKPT
_base_ = ['../finetune/finetune_s3dg_ucf101.py']
model = dict(cls_head=dict(_delete_=True, type='VideoFeatureHead',
                           in_channels=1024))
test_evaluator = dict(_delete_=True, type='VideoRetrievalMetric',
                      topk=(1, 5, 10, 20, 50))
# The gallery is the train split seen through the test pipeline (the
# official code used train-time augmentation for it; we do not).
gallery_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type={{_base_.dataset_type}},
                 ann_file={{_base_.ann_file_train}},
                 data_prefix=dict(video={{_base_.data_root}}),
                 pipeline={{_base_.test_pipeline}}, test_mode=True))
load_from = None
