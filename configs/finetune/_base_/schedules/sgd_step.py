# Step variant of the finetuning schedule (HMDB51 C3D / ResNet-18 in the
# reference): lr x0.1 at epochs 50, 70 and 90.
_base_ = ['sgd_cosine.py']
param_scheduler = [
    dict(type='MultiStepLR', milestones=[50, 70, 90], gamma=0.1,
         by_epoch=True, begin=0)
]
