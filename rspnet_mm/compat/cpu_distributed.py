"""Distributed data parallel on CPU-only torch with the gloo backend.

Upstream: mmengine 0.10.7. Two places assume CUDA:

* ``mmengine.dist.utils._init_dist_pytorch`` calls ``torch.cuda.set_device``
  unconditionally, which raises on a CPU-only build;
* ``Runner.wrap_model`` passes ``device_ids=[LOCAL_RANK]`` to DDP, which
  torch rejects for a module whose parameters live on the CPU.

Fix: :func:`apply` turns ``torch.cuda.set_device`` into a no-op while CUDA is
unavailable (it would raise otherwise, so nothing that worked changes), and
:class:`DeviceAgnosticDDP` (registered in ``MODEL_WRAPPERS``; our runtime base
config selects it with ``model_wrapper_cfg``) drops ``device_ids`` for CPU
modules and keeps them for CUDA ones, so the same config runs with NCCL.

Remove when: ``mmengine`` guards ``set_device`` with
``torch.cuda.is_available`` and ``wrap_model`` only passes ``device_ids``
for CUDA modules (check
``mmengine/dist/utils.py`` and ``Runner.wrap_model``).
"""
import torch
from mmengine.model import MMDistributedDataParallel
from mmengine.registry import MODEL_WRAPPERS

_original_set_device = torch.cuda.set_device


def _set_device_if_cuda(device) -> None:
    if torch.cuda.is_available():
        _original_set_device(device)


@MODEL_WRAPPERS.register_module()
class DeviceAgnosticDDP(MMDistributedDataParallel):
    """``MMDistributedDataParallel`` that also wraps CPU modules.

    Args:
        module (nn.Module): The model to wrap.
        device_ids (list[int], optional): Kept for CUDA modules, dropped
            for CPU modules. Defaults to None.
        **kwargs: Passed to ``MMDistributedDataParallel``.
    """

    def __init__(self, module, device_ids=None, **kwargs):
        on_cpu = all(p.device.type == 'cpu' for p in module.parameters())
        if on_cpu:
            device_ids = None
        super().__init__(module=module, device_ids=device_ids, **kwargs)


def apply() -> bool:
    """Make ``torch.cuda.set_device`` harmless on CPU-only torch.

    Returns:
        bool: True when the patch was installed.
    """
    if (torch.cuda.is_available()
            or torch.cuda.set_device is _set_device_if_cuda):
        return False
    torch.cuda.set_device = _set_device_if_cuda
    return True
