# RSPNet finetuning on Something-Something V2 (174 classes): the reference's
# SSv2 schedule (lr 0.01, 50 epochs, x0.1 at 20/40, 'cover' sampling, no
# flip; rspnet-reference.md §4) with this backbone's UCF101 batch size. The
# reference states no SSv2 input size; 16x112 clips as for the others.
_base_ = ['_base_/models/s3dg.py', '_base_/recipes/sthv2_16x112.py']
model = dict(cls_head=dict(num_classes=174))
train_dataloader = dict(batch_size=4)
optim_wrapper = dict(optimizer=dict(lr=0.01))
