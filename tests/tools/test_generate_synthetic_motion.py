"""The synthetic motion CLI: writes the set, reports speed, rejects bad
options with the library's message."""
import json

import pytest

from rspnet_mm.synthetic import load_metadata
from rspnet_mm.testing.recipes import REPO_ROOT, load_tool

TOOL = REPO_ROOT / 'tools' / 'data' / 'generate_synthetic_motion.py'
TINY = ['--clips', '4', '--size', '32', '--min-frames', '8',
        '--max-frames', '10', '--rspnet-window', '0', '--no-progress']


@pytest.fixture(scope='module')
def tool():
    return load_tool('data/generate_synthetic_motion')


def test_cli_writes_the_set_with_the_chosen_label(tool, tmp_path, capsys):
    out = tmp_path / 'set'
    tool.main(['--out', str(out), '--label', 'speed', '--seed', '3',
               '--kinds', 'spin', 'zoom_pulse', *TINY])
    printed = capsys.readouterr().out
    assert f'wrote 4 clips (3 train, 1 val; 2 classes by speed) to {out}' \
        in printed
    assert 'clips/s' in printed
    records = load_metadata(out)
    assert {r['kind'] for r in records} <= {'spin', 'zoom_pulse'}
    assert all((out / 'videos' / r['path']).is_file() for r in records)
    assert (out / 'classes.txt').read_text() == 'slow\nfast\n'
    lines = (out / 'train_list.txt').read_text().splitlines()
    lines += (out / 'val_list.txt').read_text().splitlines()
    assert sorted(lines) == sorted(f'{r["path"]} {r["speed_band"]}'
                                   for r in records)
    config = json.loads((out / 'generation.json').read_text())['config']
    assert config['seed'] == 3 and config['label_by'] == 'speed'
    assert config['kinds'] == ['spin', 'zoom_pulse']


@pytest.mark.parametrize('argv, message', [
    (['--clips', '0'], 'n_clips=0: no clips to write'),
    (['--min-frames', '40', '--max-frames', '80'],
     'min_frames=40: shorter than two RSPNet windows of 32 frames'),
    (['--label', 'size'], "argument --label: invalid choice: 'size'"),
    (['--kinds', 'jump'], "unknown motion kind 'jump'"),
    (['--workers', '-2'], '--workers -2: must be >= 0'),
    (['--lighting', '1.5'], 'lighting=1.5: must be in [0, 1)'),
])
def test_cli_rejects_bad_options(tool, argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        tool.parse_args(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_effect_flags_reach_the_config(tool):
    args = tool.parse_args(['--camera-pan', '0.5', '--lighting', '0.2',
                            '--occluders', '1', '--texture', '0.3',
                            '--distractors', '2', '--motion-blur', '0.5'])
    assert (args.config.camera_pan, args.config.lighting,
            args.config.occluders, args.config.texture,
            args.config.distractors,
            args.config.motion_blur) == (0.5, 0.2, 1, 0.3, 2, 0.5)
