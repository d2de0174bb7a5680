import pytest
import torch

from rspnet_mm.models.backbones import LiteC3D


def test_shapes_and_frame_difference_stem():
    model = LiteC3D()
    model.init_weights()
    assert model(torch.randn(2, 3, 16, 32, 32)).shape == (2, 128, 2, 2, 2)
    assert sum(p.numel() for p in model.parameters()) == 404096
    assert model.layers[0].conv.in_channels == 6
    plain = LiteC3D(channels=(8, ), strides=((1, 1, 1), ), frame_diff=False)
    assert plain.layers[0].conv.in_channels == 3


def test_difference_channels_are_zero_for_a_static_clip():
    model = LiteC3D(channels=(4, ), strides=((1, 1, 1), ), clip_norm=False)
    seen = {}
    model.layers[0].conv.register_forward_pre_hook(
        lambda m, inputs: seen.update(x=inputs[0]))
    frame = torch.randn(1, 3, 1, 8, 8)
    model(frame.expand(1, 3, 5, 8, 8))
    assert torch.equal(seen['x'][:, 3:], torch.zeros(1, 3, 5, 8, 8))
    assert torch.equal(seen['x'][:, :3], frame.expand(1, 3, 5, 8, 8))


def test_clip_norm_standardises_each_clip_and_channel():
    model = LiteC3D(channels=(4, ), strides=((1, 1, 1), ))
    seen = {}
    model.layers[0].conv.register_forward_pre_hook(
        lambda m, inputs: seen.update(x=inputs[0]))
    clip = torch.randn(2, 3, 6, 8, 8)
    model(clip)
    normed = seen['x'][:, :3]  # [N, C, T, H, W]
    expected = (clip - clip.mean(dim=(2, 3, 4), keepdim=True)) / (
        clip.std(dim=(2, 3, 4), keepdim=True) + 1e-2)
    torch.testing.assert_close(normed, expected)
    torch.testing.assert_close(seen['x'][:, 3:, 1:],
                               expected[:, :, 1:] - expected[:, :, :-1])


def test_clip_norm_undoes_per_clip_brightness_and_contrast():
    # a window's colour jitter scales and shifts each channel; the
    # normalised stem must see the same clip (up to the eps in the std)
    torch.manual_seed(0)
    model = LiteC3D(channels=(4, 8), strides=((1, 2, 2), (2, 2, 2)))
    model.eval()
    clip = torch.randn(2, 3, 8, 16, 16)
    gain = torch.tensor([1.6, 0.7, 1.2]).view(1, 3, 1, 1, 1)
    offset = torch.tensor([0.3, -0.5, 0.1]).view(1, 3, 1, 1, 1)
    out = model(clip)
    torch.testing.assert_close(model(clip * gain + offset), out, rtol=2e-2,
                               atol=2e-2)
    plain = LiteC3D(channels=(4, 8), strides=((1, 2, 2), (2, 2, 2)),
                    clip_norm=False).eval()
    assert (plain(clip * gain + offset) - plain(clip)).abs().max() > 0.1


def test_frozen_stages_count_layers_from_the_stem():
    model = LiteC3D(channels=(4, 8, 8), strides=((1, 1, 1), ) * 3,
                    frozen_stages=1)
    model.train()
    frozen = [all(not p.requires_grad for p in layer.parameters())
              for layer in model.layers]
    assert frozen == [True, True, False]
    assert not model.layers[1].bn.training and model.layers[2].bn.training
    with pytest.raises(ValueError, match=r'frozen_stages must be an int in'
                       r' \[-1, 2\]'):
        LiteC3D(channels=(4, 8, 8), strides=((1, 1, 1), ) * 3,
                frozen_stages=3)


def test_bad_arguments_and_inputs_are_named():
    with pytest.raises(ValueError, match='equal length'):
        LiteC3D(channels=(4, 8), strides=((1, 1, 1), ))
    with pytest.raises(ValueError, match=r'expects clips shaped \(N, 3'):
        LiteC3D()(torch.randn(2, 4, 16, 32, 32))
