# Finetuning schedule (rspnet-reference.md §4): SGD momentum 0.9, wd 1e-4,
# no lr scaling, cosine per epoch; validated every epoch on the test split
# with one centre clip, best checkpoint by top-1.
max_epochs = 30
train_cfg = dict(type='ResumableEpochBasedTrainLoop',
                 max_epochs=max_epochs, val_begin=1, val_interval=1)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4))
param_scheduler = [
    dict(type='CosineAnnealingLR', eta_min=0, by_epoch=True, begin=0)
]
auto_scale_lr = dict(enable=False, base_batch_size=32)
