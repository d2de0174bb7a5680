# RSPNet pretraining schedule (rspnet-reference.md §4): SGD momentum 0.9,
# wd 1e-4, cosine stepped per epoch down to lr / 1000, no warm-up, 200
# epochs, a checkpoint every 50 epochs. `lr` is the reference's base lr for a
# total batch of 64; auto_scale_lr rescales it to the real total batch.
base_lr = 0.1
max_epochs = 200

# no val_cfg here: _base_/pretrain_monitor.py adds the representation
# monitor, run every val_interval epochs (mmengine's default: 1)
train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=max_epochs)
test_cfg = None

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=base_lr, momentum=0.9, weight_decay=1e-4))

param_scheduler = [
    # `end` (and so T_max) defaults to train_cfg.max_epochs at build time,
    # so `--cfg-options train_cfg.max_epochs=N` shortens the whole cosine.
    dict(type='CosineAnnealingLR', eta_min_ratio=1e-3, by_epoch=True,
         begin=0)
]

auto_scale_lr = dict(enable=True, base_batch_size=64)
