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


def _leaf_configs():
    """Every config a user runs from configs/finetune and configs/retrieval
    (the _base_ folders excluded)."""
    root = REPO_ROOT / 'configs'
    return sorted(str(p.relative_to(REPO_ROOT))
                  for folder in ('finetune', 'retrieval')
                  for p in (root / folder).glob('*.py'))


def test_every_downstream_config_is_in_the_metafile_and_the_readme():
    listed = set()
    for model in _load()['Models']:
        for config in model['Metadata'].get('Downstream configs', []):
            assert osp.isfile(osp.join(REPO_ROOT, config)), config
            arch = model['Metadata']['Architecture']
            assert _resolved_backbone(config) == arch, (model['Name'], config)
            listed.add(config)
    leaves = _leaf_configs()
    assert len(leaves) == 28  # 3 finetune + 2 linear + 2 retrieval, x 4
    assert listed == set(leaves)
    readme = open(osp.join(REPO_ROOT, 'configs', 'README.md')).read()
    for config in leaves:
        assert config.split('/', 1)[1] in readme, config


def _resolved_backbone(config: str) -> str:
    from mmengine.config import Config
    return Config.fromfile(osp.join(REPO_ROOT, config)).model.backbone.type
