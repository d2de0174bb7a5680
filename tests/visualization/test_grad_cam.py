"""Grad-CAM: the formula, the default layer of every backbone, and a map
that finds the one moving region of a clip."""
import pytest
import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.registry import init_default_scope
from torch import nn

import rspnet_mm  # noqa: F401
from rspnet_mm.visualization.grad_cam import (
    class_score,
    default_layer,
    find_layer,
    grad_cam,
    upsample_cam,
)


def test_grad_cam_is_relu_of_gradient_weighted_activations():
    torch.manual_seed(0)
    conv = nn.Conv3d(2, 3, 1)
    x = torch.randn(2, 2, 3, 4, 5)
    w = torch.randn(3, 3, 4, 5)  # score = sum(w * A): dy/dA = w

    cam, score = grad_cam(conv, lambda: (conv(x) * w).sum())
    activation = conv(x).detach()
    weights = w.mean(dim=(1, 2, 3))  # [C]
    expected = F.relu((weights[None, :, None, None, None]
                       * activation).sum(1))
    assert cam.shape == (2, 3, 4, 5)
    torch.testing.assert_close(cam, expected)
    torch.testing.assert_close(score, (activation * w).sum())


def test_grad_cam_rejects_a_layer_run_twice_or_not_a_feature_map():
    conv = nn.Conv3d(1, 1, 1)
    x = torch.randn(1, 1, 2, 2, 2)
    with pytest.raises(RuntimeError, match='ran 2 times'):
        grad_cam(conv, lambda: (conv(x) + conv(x)).sum())
    linear = nn.Linear(2, 1)
    with pytest.raises(ValueError, match='not a feature map'):
        grad_cam(linear, lambda: linear(torch.randn(3, 2)).sum())


def test_upsample_scales_each_clip_to_its_peak():
    cam = torch.tensor([[[[0.0, 2.0], [1.0, 0.0]]], [[[0.0, 0.0],
                                                      [0.0, 0.0]]]])
    up = upsample_cam(cam, (2, 4, 4))
    assert up.shape == (2, 2, 4, 4)
    assert up[0].max() == pytest.approx(1.0)
    assert up[0, 0, 0, 3] == pytest.approx(1.0)  # the 2.0 cell's corner
    assert up[1].abs().max() == 0


BACKBONES = [
    (dict(type='S3DG'), (8, 32), 'mixed_5c'),
    (dict(type='VCOPC3D'), (8, 32), 'conv5b'),
    (dict(type='VCOPR2Plus1D'), (8, 32), 'layer4'),
    (dict(type='HaraResNet3D'), (8, 32), 'layer4'),
    (dict(type='LiteC3D'), (16, 32), 'layers.4'),
    (dict(type='ResNet3d', depth=18, pretrained=None, pretrained2d=False,
          inflate=(1, 1, 1, 1)), (8, 32), 'layer4'),
]


@pytest.mark.parametrize('cfg, size, layer', BACKBONES,
                         ids=[b[0]['type'] for b in BACKBONES])
def test_default_layer_is_the_last_stage_and_gives_its_map(cfg, size, layer):
    init_default_scope('mmaction')
    torch.manual_seed(0)
    backbone = MODELS.build(cfg)
    backbone.eval()  # ResNet3d.train returns None
    assert default_layer(backbone) == layer
    x = torch.randn(1, 3, size[0], size[1], size[1])
    out = backbone(x)  # the last stage's map is the backbone's output
    cam, _ = grad_cam(find_layer(backbone, None),
                      lambda: backbone(x).mean())
    assert cam.shape == (1, ) + out.shape[2:]
    assert torch.isfinite(cam).all() and (cam >= 0).all()
    with pytest.raises(ValueError, match="--layer 'nope': no such module"):
        find_layer(backbone, 'nope')


def _clip(moving_box, static_box, steps=8, size=32, speed=1):
    """(3, T, size, size) clip: a bright square sliding right inside
    ``moving_box`` (x0, y0), another one still at ``static_box``."""
    clip = torch.zeros(3, steps, size, size)
    sx, sy = static_box
    clip[:, :, sy:sy + 6, sx:sx + 6] = 1.0
    mx, my = moving_box
    for t in range(steps):
        x = mx + (t * speed) % 8
        clip[:, t, my:my + 6, x:x + 6] = 1.0
    return clip


def _motion_classifier():
    """LiteC3D (frame-difference stem) + linear head trained for a few
    seconds to tell a clip with a moving square (class 1) from one whose
    squares stand still (class 0); both have two squares."""
    init_default_scope('mmaction')
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='Recognizer3D',
        backbone=dict(type='LiteC3D', channels=(8, 16, 16),
                      strides=((1, 2, 2), (2, 1, 1), (1, 2, 2))),
        cls_head=dict(type='I3DHead', num_classes=2, in_channels=16,
                      dropout_ratio=0.0)))
    model.init_weights()
    optim = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    gen = torch.Generator().manual_seed(1)
    for _ in range(20):
        labels = torch.randint(0, 2, (8, ), generator=gen)
        clips = []
        for label in labels.tolist():
            a = torch.randint(0, 10, (2, ), generator=gen).tolist()
            b = torch.randint(18, 21, (2, ), generator=gen).tolist()
            boxes = (a, b) if torch.rand(1, generator=gen) < 0.5 else (b, a)
            clips.append(_clip(boxes[0], boxes[1], speed=label))
        logits, _ = model.extract_feat(torch.stack(clips)[:, None],
                                       stage='head')
        loss = F.cross_entropy(logits, labels)
        optim.zero_grad()
        loss.backward()
        optim.step()
    return model.eval()


def test_map_mass_lies_on_the_only_moving_region():
    model = _motion_classifier()
    layer = find_layer(model.backbone, None)
    for moving, static in (((2, 4), (20, 20)), ((18, 18), (4, 2))):
        clip = _clip(moving, static)[None, None]  # [1, 1, 3, T, H, W]
        with torch.no_grad():
            logits, _ = model.extract_feat(clip, stage='head')
        assert int(logits.argmax()) == 1  # the net sees the motion

        cam, _ = grad_cam(layer,
                          lambda x=clip: class_score(model, x, 1)[0])
        cam = upsample_cam(cam, (8, 32, 32))[0].sum(0)  # [H, W]
        mask = torch.zeros(32, 32, dtype=torch.bool)
        mx, my = moving  # the path of the mover, 2 px margin
        mask[max(my - 2, 0):my + 8, max(mx - 2, 0):mx + 16] = True
        share = cam[mask].sum() / cam.sum()
        # the mover's path is 18 % of the frame; the still square is not
        # measured: trained 0.73, untrained 0.4
        assert share > 0.6, (moving, float(share))
        still = torch.zeros_like(mask)
        sx, sy = static
        still[sy:sy + 6, sx:sx + 6] = True
        assert cam[still].mean() < 0.25 * cam[mask].mean()  # 0.1 vs 1.4-2.1
