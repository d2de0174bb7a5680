"""Every way the project reads a checkpoint refuses a code-running pickle.

The malicious file's payload creates a sentinel file when unpickled; on each
path the load must fail with an error naming the file and the opt-in, and
the sentinel must not exist. One test shows the payload is live.
"""

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from rspnet_mm.compat import (
    TRUST_ENV,
    UnsafeCheckpointError,
    load_checkpoint_file,
    trusted_checkpoints,
)
from rspnet_mm.testing.recipes import (
    REPO_ROOT,
    TINY_RECOGNIZER_CONFIG,
    load_tool,
    tiny_recognizer_args,
)

TINY_RETRIEVAL_CONFIG = str(REPO_ROOT / 'tests' / 'data' / 'configs' /
                            'tiny_retrieval.py')
FINETUNE_CONFIG = str(REPO_ROOT / 'configs' / 'finetune' /
                      'finetune_r21d_ucf101.py')


class _WritesSentinel:
    """Unpickling this opens (creates) ``path``: code runs on load."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, 'w'))


@pytest.fixture
def evil(tmp_path, monkeypatch):
    """A checkpoint shaped like a real one, with a payload; and the path
    of the sentinel its payload would create."""
    monkeypatch.delenv(TRUST_ENV, raising=False)
    sentinel = tmp_path / 'PAYLOAD_RAN'
    path = tmp_path / 'evil.pth'
    torch.save({'meta': {'epoch': 1, 'iter': 2},
                'state_dict': {'backbone.w': torch.ones(1)},
                'model': {'encoder_q.encoder.w': torch.ones(1)},
                'payload': _WritesSentinel(sentinel)}, path)
    yield path, sentinel
    assert not sentinel.exists(), 'the payload ran'


def _assert_refused(error, path):
    message = str(error)
    assert str(path) in message
    assert TRUST_ENV in message
    assert 'could run arbitrary code' in message


def test_payload_is_live_when_trusted(evil):
    path, sentinel = evil
    with trusted_checkpoints():
        load_checkpoint_file(str(path))
    assert sentinel.exists()
    sentinel.unlink()  # the fixture checks that it is absent


@pytest.mark.parametrize('how', ['resume', 'auto-resume', 'load_from'])
def test_train_tool(evil, tiny_video_set, tmp_path, how):
    path, _ = evil
    work = tmp_path / 'work'
    args = [TINY_RECOGNIZER_CONFIG,
            *tiny_recognizer_args(tiny_video_set, work)]
    if how == 'resume':
        args += ['--resume', str(path)]
    elif how == 'auto-resume':  # last_checkpoint names the file
        work.mkdir()
        (work / 'last_checkpoint').write_text(str(path))
        args += ['--resume']
    else:
        args += [f'load_from={path}']
    with pytest.raises(UnsafeCheckpointError) as info:
        load_tool('train').main(args)
    _assert_refused(info.value, path)


def test_test_tool(evil, tiny_video_set, tmp_path):
    path, _ = evil
    args = tiny_recognizer_args(tiny_video_set, tmp_path / 'work')
    with pytest.raises(UnsafeCheckpointError) as info:
        load_tool('test').main([TINY_RECOGNIZER_CONFIG, str(path), *args])
    _assert_refused(info.value, path)


def test_retrieval_tool(evil, tiny_video_set, tmp_path):
    path, _ = evil
    data = [f'{loader}.dataset.{key}'
            for loader in ('gallery_dataloader', 'test_dataloader')
            for key in (f'ann_file={tiny_video_set["ann_file"]}',
                        f'data_prefix.video={tiny_video_set["root"]}')]
    argv = [TINY_RETRIEVAL_CONFIG, str(path), '--work-dir',
            str(tmp_path / 'work'), '--cfg-options', *data]
    with pytest.raises(UnsafeCheckpointError) as info:
        load_tool('retrieval').main(argv)
    _assert_refused(info.value, path)


@pytest.mark.parametrize('tool', ['convert_official_checkpoint',
                                  'extract_backbone'])
def test_conversion_tools(evil, tmp_path, capsys, tool):
    path, _ = evil
    dst = tmp_path / 'out.pth'
    assert load_tool(tool).main([str(path), str(dst)]) == 1
    err = capsys.readouterr().err
    _assert_refused(err, path)
    assert not dst.exists()
    if tool == 'convert_official_checkpoint':
        assert 'pass --trust' in err


def test_finetune_load_from(evil, tmp_path):
    from mmengine.runner import Runner
    path, _ = evil
    cfg = Config.fromfile(FINETUNE_CONFIG)
    cfg.load_from = str(path)
    cfg.work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    with pytest.raises(UnsafeCheckpointError) as info:
        runner.load_or_resume()
    _assert_refused(info.value, path)


@pytest.mark.parametrize('weights', ['pretrained', 'init_cfg'])
def test_backbone_weights(evil, weights):
    from mmaction.registry import MODELS
    path, _ = evil
    init_default_scope('mmaction')
    if weights == 'pretrained':
        backbone = MODELS.build(dict(type='VCOPR2Plus1D',
                                     pretrained=str(path)))
    else:
        backbone = MODELS.build(dict(
            type='LiteC3D', init_cfg=dict(type='Pretrained',
                                          checkpoint=str(path),
                                          prefix='backbone.')))
    with pytest.raises(UnsafeCheckpointError) as info:
        backbone.init_weights()
    _assert_refused(info.value, path)
