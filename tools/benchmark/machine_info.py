"""One line describing the machine, printed above every benchmark table."""
import os
import platform

import torch


def describe_machine(extra: str = '') -> str:
    """CPU model, cores, torch threads, load average, versions and GPU.

    Args:
        extra (str): Appended after the versions (e.g. other libraries'
            versions). Defaults to ''.

    Returns:
        str: The description.
    """
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            names = [ln.split(':', 1)[1].strip() for ln in f
                     if ln.startswith('model name')]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    load = ', '.join(f'{x:.1f}' for x in os.getloadavg())
    gpu = (f'GPU {torch.cuda.get_device_name(0)}'
           if torch.cuda.is_available() else 'no GPU')
    return (f'{cpu}, {os.cpu_count()} cores, {torch.get_num_threads()} '
            f'torch threads, load average before the run {load}; python '
            f'{platform.python_version()}, torch {torch.__version__}'
            f'{extra}; {gpu}')
