# Finetuning model: backbone -> global average pool -> Linear, no dropout,
# cross-entropy (rspnet-reference.md §4). Children add `backbone` and set
# `cls_head.in_channels` / `num_classes`. Logits of test clips are averaged.
model = dict(
    type='Recognizer3D',
    cls_head=dict(type='I3DHead', num_classes=101, in_channels=512,
                  spatial_type='avg', dropout_ratio=0.0, init_std=0.01,
                  average_clips='score'),
    data_preprocessor=dict(type='ActionDataPreprocessor',
                           mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375],
                           format_shape='NCTHW'))
