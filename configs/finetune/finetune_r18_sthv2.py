# RSPNet finetuning on Something-Something V2 (174 classes): the reference's
# SSv2 schedule (lr 0.01, 50 epochs, x0.1 at 20/40, 'cover' sampling, no
# flip; rspnet-reference.md §4) with this backbone's UCF101 batch size.
_base_ = ['_base_/models/r18.py', '_base_/recipes/sthv2_16x112.py']
model = dict(cls_head=dict(num_classes=174))
train_dataloader = dict(batch_size=32)
optim_wrapper = dict(optimizer=dict(lr=0.01))
