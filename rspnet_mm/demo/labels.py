"""Per-video labels of the synthetic set, in annotation-list order."""
import json
from pathlib import Path
from typing import Dict, List

import numpy as np

#: The demo's probes, fixed before any result was seen. The primary label
#: (linear probe, kNN, retrieval, finetune) is the data set's own class:
#: motion kind x speed band. The other linear probes cover motion alone
#: (kind, speed band) and every appearance attribute.
PRIMARY_LABEL = 'kind_speed'
OTHER_PROBES = ('kind', 'speed', 'shape', 'colour', 'texture', 'background')


def list_paths(list_file: str) -> List[str]:
    """Relative video paths of a ``path label`` annotation list."""
    lines = Path(list_file).read_text().splitlines()
    return [line.split()[0] for line in lines if line.strip()]


def labels_in_list_order(data_dir: str, split: str) -> Dict[str, np.ndarray]:
    """Every label option for the videos of one split, in list order.

    Args:
        data_dir (str): Output folder of the synthetic generator.
        split (str): 'train' or 'val'.

    Returns:
        dict: ``{label option: (V,) int64 array}``.
    """
    data_dir = Path(data_dir)
    by_path = {}
    with open(data_dir / 'metadata.jsonl') as f:
        for line in f:
            record = json.loads(line)
            by_path[record['path']] = record['labels']
    paths = list_paths(str(data_dir / f'{split}_list.txt'))
    missing = [p for p in paths if p not in by_path]
    if missing:
        raise KeyError(f'{len(missing)} videos of {split}_list.txt are not '
                       f'in metadata.jsonl, e.g. {missing[0]}: regenerate '
                       f'{data_dir}')
    names = by_path[paths[0]].keys()
    return {name: np.array([by_path[p][name] for p in paths], np.int64)
            for name in names}
