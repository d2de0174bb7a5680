"""`make demo`: generate data, pretrain RSPNet, compare with random init."""
