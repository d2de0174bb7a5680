"""Build a model from a config and a checkpoint for inference
(``tools/visualize_cam.py``, ``tools/extract_features.py``)."""
import copy
import logging
from typing import Optional

from mmaction.registry import MODELS
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from torch import nn


def build_model(cfg: Config, checkpoint: Optional[str]) -> nn.Module:
    """Build ``cfg.model``, initialise it and load ``checkpoint``.

    Args:
        cfg (Config): Config with a ``model``.
        checkpoint (str, optional): Full or ``backbone.*`` checkpoint,
            loaded non-strictly over the initial weights (as a runner's
            ``load_from``); None keeps the initialisation (e.g. to look at
            a random network).

    Returns:
        nn.Module: The model in eval mode.
    """
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    model = MODELS.build(copy.deepcopy(cfg.model))
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)  # not the table of every initialiser
    try:
        model.init_weights()
    finally:
        logger.setLevel(level)
    if checkpoint is not None:
        load_checkpoint(model, checkpoint, map_location='cpu', strict=False)
    model.eval()  # (some backbones' train() return None)
    return model
