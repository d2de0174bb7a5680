"""CAM figures: the colour blend and the grid layout."""
import numpy as np
import pytest

from rspnet_mm.visualization.cam_figures import cam_rows, overlay, tile


def test_overlay_blends_jet_blue_for_zero_and_red_for_one():
    frames = np.full((1, 2, 2, 3), 100, np.uint8)
    cams = np.array([[[0.0, 1.0], [0.0, 1.0]]])
    out = overlay(frames, cams, alpha=0.5).astype(int)
    # OpenCV's jet: 0 -> RGB (0, 0, 128), 1 -> RGB (128, 0, 0)
    assert out[0, 0, 0].tolist() == [50, 50, 114]
    assert out[0, 0, 1].tolist() == [114, 50, 50]
    with pytest.raises(ValueError, match='differ in size'):
        overlay(frames, cams[:, :1])


def test_rows_alternate_frames_and_overlays_and_tile_with_gaps():
    frames = np.stack([np.full((3, 2, 2, 3), v, np.uint8) for v in (10, 20)])
    cams = np.zeros((2, 3, 2, 2))
    rows = cam_rows(frames, cams)
    assert rows.shape == (4, 3, 2, 2, 3)
    assert (rows[0] == 10).all() and (rows[2] == 20).all()
    assert (rows[1] == overlay(frames[0], cams[0])).all()
    grid = tile(rows, scale=2)  # 4 x 3 tiles of 4 px, 2 px gaps
    assert grid.shape == (4 * 6 - 2, 3 * 6 - 2, 3)
    assert (grid[:4, :4] == 10).all() and (grid[4:6] == 255).all()
    assert (grid[12:16, 6:10] == 20).all()
