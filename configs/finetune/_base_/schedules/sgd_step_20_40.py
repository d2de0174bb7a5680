# Something-Something V2 schedule of the reference (its supplement): 50
# epochs, lr x0.1 at epochs 20 and 40.
_base_ = ['sgd_cosine.py']
train_cfg = dict(max_epochs=50)
param_scheduler = [
    dict(type='MultiStepLR', milestones=[20, 40], gamma=0.1, by_epoch=True,
         begin=0)
]
