"""tools/analysis/backbone_table.py on tiny inputs."""
from rspnet_mm.testing.recipes import load_tool


def test_row_and_table():
    tool = load_tool('analysis/backbone_table')
    shape = (1, 3, 8, 32, 32)
    row = tool.complexity_row(
        dict(type='VCOPC3D'), flop_shapes=[shape], feature_shape=shape,
        time_shape=shape, runs=1)
    assert row['type'] == 'VCOPC3D'
    assert round(row['params_m'], 2) == 27.66
    # conv1 alone: 64 out ch x (3 x 3^3) MACs at each of 8x32x32 positions
    assert row['gflops'][0] > 64 * 3 * 27 * 8 * 32 * 32 / 1e9
    assert row['feature_shape'] == (512, 1, 2, 2)
    assert row['forward_ms'] > 0
    table = tool.markdown_table({'c3d': row}, [shape], shape, shape)
    lines = table.splitlines()
    assert lines[0].startswith('| official arch | backbone | params (M) | '
                               'GFLOPs 1x3x8x32x32 |')
    assert lines[2].startswith('| c3d | VCOPC3D | 27.66 | ')
