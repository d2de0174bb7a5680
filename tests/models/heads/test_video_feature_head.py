import pytest
import torch
from mmaction.structures import ActionDataSample

from rspnet_mm.models.heads.video_feature_head import VideoFeatureHead


def test_predict_averages_pooled_clips_per_video():
    head = VideoFeatureHead(in_channels=4)
    feats = torch.arange(2 * 3 * 4, dtype=torch.float32).view(6, 4, 1, 1, 1)
    feats = feats.expand(6, 4, 2, 3, 3).contiguous()
    samples = head.predict(feats, [ActionDataSample(), ActionDataSample()])
    # video 0 = clips 0..2: mean of rows [0..3], [4..7], [8..11]
    assert samples[0].video_feature.tolist() == [4., 5., 6., 7.]
    assert samples[1].video_feature.tolist() == [16., 17., 18., 19.]


def test_normalize_and_channel_check():
    head = VideoFeatureHead(in_channels=2, normalize=True)
    out = head(torch.tensor([[3., 4.]]))
    assert out.tolist() == [[pytest.approx(0.6), pytest.approx(0.8)]]
    with pytest.raises(ValueError, match='in_channels is 2'):
        head(torch.zeros(1, 3, 1, 1, 1))
    with pytest.raises(NotImplementedError, match='I3DHead'):
        head.loss(None, None)
