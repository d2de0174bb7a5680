# Example: relative speed perception (RSP) as an auxiliary loss in an
# ordinary MMAction2 recognizer (model only). The training pipeline must
# pack 3 views [q, k+, k-] per sample (RelativeSpeedSampler); RSPAuxNeck
# computes loss_rsp on them and hands only the q view to the I3D head, so
# the log shows loss_cls, loss_rsp and rsp_acc. At test time ordinary
# clips pass through the neck unchanged.
default_scope = 'mmaction'
custom_imports = dict(imports=['rspnet_mm'], allow_failed_imports=False)

model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='ResNet3d',
        depth=18,
        pretrained=None,
        pretrained2d=False,
        conv1_stride_t=1,
        pool1_stride_t=1),
    neck=dict(
        type='RSPAuxNeck',
        detach_keys=False,
        rsp_head=dict(
            type='RSPHead',
            in_channels=512,
            proj_type='mlp',
            margin=2.0,
            temperature=0.07,
            loss_weight=1.0)),
    cls_head=dict(
        type='I3DHead',
        num_classes=101,
        in_channels=512,
        spatial_type='avg',
        dropout_ratio=0.5,
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'))
