"""Stop a ``load_from`` whose backbone does not fit the model's."""
from typing import Mapping, Optional

import torch
from mmaction.registry import HOOKS, MODELS
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from rspnet_mm.models.backbones.backbone_checkpoint import (
    CONVERT_HINT,
    BackboneStateError,
    backbone_config_from_meta,
    mismatch_report,
    sample_keys,
    sub_state_dict,
)
from rspnet_mm.models.backbones.official_conversion import OFFICIAL_ARCHS

PREFIX = 'backbone.'
#: Backbones a file's keys are compared with when its meta names none.
KNOWN_BACKBONES = [spec['backbone'] for spec in OFFICIAL_ARCHS.values()
                   ] + [dict(type='LiteC3D')]


def file_backbone(checkpoint: Mapping,
                  state: Mapping[str, torch.Tensor]) -> Optional[str]:
    """What backbone a checkpoint holds, in words.

    Args:
        checkpoint (Mapping): The loaded file.
        state (Mapping[str, torch.Tensor]): Its state dict, no
            ``module.``.

    Returns:
        str | None: E.g. ``"a HaraResNet3D backbone ({...}, from its
        meta['backbone'])"``; None when no ``backbone.*`` tensor is in it.
    """
    backbone = sub_state_dict(state, PREFIX)
    if not backbone:
        return None
    meta = checkpoint.get('meta') if isinstance(checkpoint, Mapping) else None
    meta = meta if isinstance(meta, Mapping) else {}
    if isinstance(meta.get('backbone'), Mapping):
        cfg = dict(meta['backbone'])
        return f"a {cfg.get('type')} backbone ({cfg}, from its meta" \
               "['backbone'])"
    try:
        cfg = backbone_config_from_meta(meta, 'load_from')
        return f"a {cfg['type']} backbone ({cfg}, from its meta['cfg'])"
    except BackboneStateError:
        pass  # no readable meta['cfg']: infer the backbone from the keys
    for cfg in KNOWN_BACKBONES:
        with torch.device('meta'):
            known = MODELS.build(dict(cfg)).state_dict()
        if not mismatch_report(known, backbone):
            return f"a {cfg['type']} backbone ({cfg}, inferred from its keys)"
    return (f'a backbone of unknown type ({len(backbone)} {PREFIX}* '
            f'tensors: {sample_keys(backbone)})')


@HOOKS.register_module()
class LoadFromCheckHook(Hook):
    """Refuse a checkpoint whose backbone does not fit the model's.

    mmengine loads ``load_from`` non-strictly: a backbone of another
    architecture only prints size-mismatch lines and training goes on from
    random weights. This hook runs at ``after_load_checkpoint`` (the file is
    read, nothing is loaded yet) and raises :class:`BackboneStateError`,
    before the first iteration, when the file's ``backbone.*`` tensors are
    not exactly the model's (missing, unexpected or misshapen keys); the
    message names the file's backbone (its meta, or inferred from its
    keys), the config's and the first mismatched keys.

    Outside the backbone nothing is an error: keys the file lacks (a
    finetune's new classifier) keep their initialisation, keys the model
    lacks (a pretraining's heads, key encoder, queue) are ignored, and
    tensors of another shape (a classifier of another class count) are
    left out; each group is logged.

    Args:
        allow_partial (bool): Load the tensors that fit even when the
            backbone does not (a warning lists the rest). Set it with
            ``--cfg-options default_hooks.load_from_check.allow_partial=
            True``. Defaults to False.
    """

    priority = 'VERY_HIGH'

    def __init__(self, allow_partial: bool = False) -> None:
        self.allow_partial = allow_partial

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Check ``checkpoint`` against ``runner.model``; drop the tensors
        outside the backbone whose shape differs."""
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        expected = model.state_dict()
        raw = checkpoint.get('state_dict', checkpoint)
        state = sub_state_dict(raw)
        source = f"load_from={getattr(runner, '_load_from', None)}"

        def part(keys, backbone):
            return {k: keys[k] for k in keys if k.startswith(PREFIX) ==
                    backbone}

        report = part(expected, True) and mismatch_report(
            part(expected, True), part(state, True))
        if report:
            what = file_backbone(checkpoint, state) or (
                f'no {PREFIX}* weights (first keys: {sample_keys(state)})')
            cfg = runner.cfg.get('model', {}).get('backbone', {})
            message = (
                f"{source}: the file's backbone does not fit the model's. It "
                f'holds {what}; the config has model.backbone='
                f'{dict(cfg)}. Backbone keys: {report}.')
            if not self.allow_partial:
                official = 'model' in checkpoint or any(
                    'encoder_q.' in k for k in state)
                hint = CONVERT_HINT if official else (
                    f"Use a {cfg.get('type')} checkpoint or set "
                    "model.backbone to the file's.")
                raise BackboneStateError(
                    f'{message} {hint} To load only the tensors that fit, '
                    'add --cfg-options '
                    'default_hooks.load_from_check.allow_partial=True.')
            runner.logger.warning(f'{message} allow_partial=True: loading '
                                  'only the tensors that fit.')
        other_model, other_file = part(expected, False), part(state, False)
        missing = [k for k in other_model if k not in other_file]
        unused = [k for k in other_file if k not in other_model]
        reshaped = [k for k, v in state.items() if k in expected
                    and tuple(v.shape) != tuple(expected[k].shape)]
        for key in list(raw):  # else load_state_dict reports each mismatch
            if key.removeprefix('module.') in reshaped:
                del raw[key]
        for keys, what in [
                (missing, 'not in the file, kept as initialised (expected '
                 "for a finetune's new classifier)"),
                (unused, 'in the file but not in the model, ignored'),
                (reshaped, 'of another shape in the file, kept as '
                 'initialised')]:
            if keys:
                runner.logger.info(f'{source}: {len(keys)} keys {what}: '
                                   f'{sample_keys(keys)}')
