import os.path as osp

import yaml

from rspnet_mm.testing.recipes import REPO_ROOT

METAFILE = osp.join(REPO_ROOT, 'configs', 'metafile.yml')


def _load():
    with open(METAFILE) as f:
        return yaml.safe_load(f)


def test_every_model_points_at_files_that_exist():
    meta = _load()
    collections = {c['Name'] for c in meta['Collections']}
    for collection in meta['Collections']:
        assert osp.isfile(osp.join(REPO_ROOT, collection['README']))
    names = [m['Name'] for m in meta['Models']]
    assert len(names) == len(set(names)), 'duplicate model names'
    for model in meta['Models']:
        assert model['In Collection'] in collections, model['Name']
        assert osp.isfile(osp.join(REPO_ROOT, model['Config'])), model['Name']
        pretrain = model['Metadata']['Pretraining config']
        assert osp.isfile(osp.join(REPO_ROOT, pretrain)), model['Name']
        assert model['Results'], model['Name']
        for result in model['Results']:
            assert result['Metrics'] and all(
                isinstance(v, int | float)
                for v in result['Metrics'].values()), model['Name']


def test_official_checkpoints_come_with_their_conversion_command():
    official = [m for m in _load()['Models']
                if 'Official file' in m['Metadata']]
    assert len(official) == 5  # s3dg 1000e and 200e, r21d, r18, c3d
    for model in official:
        command = model['Metadata']['Conversion'].split()
        tool = 'tools/convert_official_checkpoint.py'
        assert command[:3] == ['python', tool,
                               model['Metadata']['Official file']]
        assert osp.isfile(osp.join(REPO_ROOT, tool))
