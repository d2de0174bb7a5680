# RSPNet pretraining model (rspnet-reference.md §2-3): query encoder =
# backbone + RSP head g_m + A-VID head g_a (GAP -> Linear(C, 128), L2 norm);
# key encoder = momentum copy (m 0.999); queue of 16384 A-VID keys of k-;
# losses L = 1.0 * L_A + 1.0 * L_M with T 0.07 and RSP margin 2.0 (each
# weight is its head's loss_weight; a head of None switches its task off);
# shuffle-BN, emulated with 4 BatchNorm sub-batches in one process
# (bn_splits; docs/pretraining.md). Children set the backbone and the
# heads' in_channels.
model = dict(
    type='RSPNet',
    backbone=dict(type='VCOPC3D'),
    rsp_head=dict(type='RSPHead', in_channels=512, feat_dim=128,
                  proj_type='linear', margin=2.0, temperature=0.07,
                  loss_weight=1.0),
    avid_head=dict(type='AVIDHead', in_channels=512, feat_dim=128,
                   proj_type='linear', temperature=0.07, loss_weight=1.0),
    queue_len=16384,
    key_momentum=0.999,
    shuffle_bn=True,
    bn_splits=None,
    data_preprocessor=dict(type='ActionDataPreprocessor',
                           mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375],
                           format_shape='NCTHW'))
