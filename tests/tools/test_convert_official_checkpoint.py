"""tools/convert_official_checkpoint.py end to end on S3D-G files."""
import argparse

import numpy as np
import pytest
import torch
from mmaction.registry import MODELS
from mmengine.config import Config
from mmengine.registry import DefaultScope

from rspnet_mm.testing import (
    assert_close_to_official,
    load_manifest,
    official_checkpoint,
)
from rspnet_mm.testing.recipes import REPO_ROOT, load_tool

TOOL = REPO_ROOT / 'tools' / 'convert_official_checkpoint.py'


tool = load_tool('convert_official_checkpoint')


@pytest.fixture(scope='module')
def official_files(official_fixtures, tmp_path_factory):
    """The S3D-G official checkpoint as pretrain.py saves it, and a
    DDP-style variant with ``module.`` keys and no ``arch``."""
    manifest = load_manifest(official_fixtures / 's3dg_manifest.json')
    folder = tmp_path_factory.mktemp('official')
    files = {}
    for name, kwargs in [('with_arch', {}),
                         ('module_prefix_no_arch',
                          dict(with_arch=False, module_prefix=True))]:
        files[name] = folder / f'{name}.pth.tar'
        torch.save(official_checkpoint(manifest, **kwargs), files[name])
    return files


def test_round_trip_gives_the_official_features(official_files,
                                                official_fixtures, tmp_path,
                                                capsys):
    saved = {}
    for variant, src in official_files.items():
        dst = tmp_path / f'{variant}_backbone.pth'
        assert tool.main([str(src), str(dst)]) == 0
        assert capsys.readouterr().out.startswith(f'wrote {dst}: backbone ')
        saved[variant] = torch.load(dst, weights_only=True)
        assert saved[variant]['meta'] == {
            'backbone': {'type': 'S3DG'}, 'arch': 's3dg', 'source': str(src),
            'format': 'rspnet_mm.backbone', 'official_epoch': 200
        }
    # The module.-prefixed file without 'arch' gives the same weights ...
    state = saved['with_arch']['state_dict']
    other = saved['module_prefix_no_arch']['state_dict']
    assert list(state) == list(other)
    assert all(torch.equal(v, other[k]) for k, v in state.items())
    # ... and these give the official features.
    model = MODELS.build(saved['with_arch']['meta']['backbone']).eval()
    model.load_state_dict(
        {k[len('backbone.'):]: v for k, v in state.items()}, strict=True)
    official = np.load(official_fixtures / 's3dg_reference.npz')
    with torch.no_grad():  # one clip keeps it quick; BN is in eval mode
        feat = model(torch.from_numpy(official['input'][:1])).numpy()
    assert_close_to_official(feat, {k: v[:1] for k, v in official.items()})


def test_full_output(official_files, official_fixtures, tmp_path):
    dst = tmp_path / 's3dg_full.pth'
    assert tool.main([str(official_files['with_arch']), str(dst),
                      '--full']) == 0
    saved = torch.load(dst, weights_only=True)
    manifest = load_manifest(official_fixtures / 's3dg_manifest.json')
    # official keys - fc.{weight,bias} of both encoders + key_encoder.steps
    assert len(saved['state_dict']) == manifest['num_pretrain_keys'] - 3
    assert sum(k.startswith('backbone.') for k in saved['state_dict']) == 502
    assert sum(k.startswith('key_encoder.module.backbone.')
               for k in saved['state_dict']) == 502
    assert saved['meta']['format'] == 'rspnet_mm.rspnet'
    # It is the state of the pretraining recognizer of the S3D-G config.
    cfg = Config.fromfile(REPO_ROOT / 'configs' / 'rspnet_s3dg_k400.py')
    with DefaultScope.overwrite_default_scope('mmaction'):
        recognizer = MODELS.build(cfg.model)
    recognizer.load_state_dict(saved['state_dict'], strict=True)
    assert recognizer.key_encoder.steps.item() == 1


def test_wrong_arch_is_an_error(official_files, tmp_path, capsys):
    dst = tmp_path / 'out.pth'
    assert tool.main([str(official_files['with_arch']), str(dst), '--arch',
                      'c3d']) == 1
    err = capsys.readouterr().err
    assert err.startswith('convert_official_checkpoint: error: ')
    assert ("--arch is 'c3d', but the backbone keys are those of 's3dg'"
            in err)
    assert not dst.exists()


def test_truncated_file_is_an_error(official_files, tmp_path, capsys):
    data = official_files['with_arch'].read_bytes()
    src = tmp_path / 'truncated.pth.tar'
    src.write_bytes(data[:len(data) // 2])
    assert tool.main([str(src), str(tmp_path / 'out.pth')]) == 1
    err = capsys.readouterr().err
    assert f'{src} is not a readable torch checkpoint (truncated or ' in err


def test_missing_keys_are_an_error(tmp_path, capsys):
    src = tmp_path / 'partial.pth.tar'
    torch.save({'arch': 'c3d', 'model': {
        'encoder_q.encoder.conv1.weight': torch.zeros(64, 3, 3, 3, 3)}}, src)
    assert tool.main([str(src), str(tmp_path / 'out.pth')]) == 1
    err = capsys.readouterr().err
    assert 'does not fit VCOPC3D (56 keys): 55 missing keys (' in err
    assert 'encoder_q.encoder.conv1.bias, encoder_q.encoder.bn1.weight' in err
    assert "Expected an official 'c3d' backbone" in err


def test_pickled_objects_need_trust(tmp_path, capsys):
    src = tmp_path / 'with_args.pth.tar'
    torch.save({'arch': 'c3d', 'args': argparse.Namespace(lr=0.1), 'model': {
        'encoder_q.encoder.conv1.weight': torch.zeros(64, 3, 3, 3, 3)}}, src)
    assert tool.main([str(src), str(tmp_path / 'out.pth')]) == 1
    err = capsys.readouterr().err
    assert f'Refusing to load {src}' in err
    assert err.rstrip().endswith('With this tool, pass --trust instead.')
    # Trusted, the file loads and the conversion goes on to the key check.
    assert tool.main([str(src), str(tmp_path / 'out.pth'), '--trust']) == 1
    assert '55 missing keys' in capsys.readouterr().err


def test_unknown_arch_choice_is_refused(capsys):
    with pytest.raises(SystemExit):
        tool.parse_args(['a', 'b', '--arch', 'i3d'])
    assert "invalid choice: 'i3d'" in capsys.readouterr().err
