"""A head that returns pooled video features instead of class scores."""
from typing import List

import torch
import torch.nn.functional as F
from mmaction.models.heads import BaseHead
from mmaction.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class VideoFeatureHead(BaseHead):
    """Global average pool, average over clips, store as ``video_feature``.

    Used for retrieval and kNN evaluation with an ordinary ``Recognizer3D``
    and a test pipeline of several clips per video: ``predict`` writes one
    (C,) feature per video into each data sample (field ``video_feature``),
    which ``VideoRetrievalMetric`` reads. It has no parameters and no loss.

    Args:
        in_channels (int): Channels C of the backbone output (only
            checked). Defaults to None (unchecked).
        normalize (bool): L2-normalise each clip's feature before
            averaging. Defaults to False (RSPNet averages raw pooled
            features; retrieval uses cosine similarity anyway).
    """

    def __init__(self, in_channels=None, normalize: bool = False,
                 **kwargs) -> None:
        super().__init__(num_classes=1, in_channels=in_channels or 1,
                         **kwargs)
        self.check_channels = in_channels
        self.normalize = normalize

    def forward(self, x: Tensor, **kwargs) -> Tensor:
        """Pool a feature map.

        Args:
            x (Tensor): (B, C, T, H, W) map or (B, C) vectors.

        Returns:
            Tensor: (B, C) features.
        """
        if x.dim() == 5:
            x = x.mean(dim=(2, 3, 4))  # [B, C, T, H, W] -> [B, C]
        elif x.dim() != 2:
            raise ValueError(f'expected a (B, C, T, H, W) or (B, C) input, '
                             f'got shape {tuple(x.shape)}')
        if self.check_channels is not None and \
                x.shape[1] != self.check_channels:
            raise ValueError(f'in_channels is {self.check_channels} but the '
                             f'backbone gives {x.shape[1]} channels')
        if self.normalize:
            x = F.normalize(x, dim=1)
        return x

    def loss(self, feats, data_samples, **kwargs):
        raise NotImplementedError(
            'VideoFeatureHead only extracts features (retrieval / kNN); '
            'train with a classification head such as I3DHead')

    def predict(self, feats: Tensor, data_samples: List, **kwargs) -> List:
        """Attach the clip-averaged feature of each video to its sample.

        Args:
            feats (Tensor): (B * num_clips, C, T, H, W) backbone output.
            data_samples (list[ActionDataSample]): B samples.

        Returns:
            list[ActionDataSample]: The samples with ``video_feature`` (C,).
        """
        pooled = self(feats)  # [B * num_clips, C]
        num_clips = pooled.shape[0] // len(data_samples)
        video = pooled.view(len(data_samples), num_clips, -1).mean(dim=1)
        for sample, feature in zip(data_samples, video):
            sample.set_field(feature.detach(), 'video_feature')
        return data_samples

    def init_weights(self) -> None:
        """Nothing to initialise."""
        return None

    @torch.no_grad()
    def predict_by_feat(self, cls_scores, data_samples):
        raise NotImplementedError('use predict()')
