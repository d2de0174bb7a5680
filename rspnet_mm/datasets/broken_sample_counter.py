"""Counts of loaded and broken samples shared by DataLoader workers."""
import multiprocessing
from multiprocessing import context as mp_context
from typing import Dict


class BrokenSampleCounter:
    """Loaded / broken sample counts that every DataLoader worker updates.

    The counters live in shared memory (``multiprocessing`` raw values and
    a byte per sample) created in the process that builds the dataset,
    before the DataLoader starts its workers, so workers forked from it (or
    spawned with the dataset as their argument) all add to the same
    numbers; a lock makes each update atomic. The per-sample bytes mark the
    samples already reported, so each broken file is logged once in the
    whole run, whichever worker meets it.

    Copying the counter outside of starting a worker process (``pickle``,
    ``copy.deepcopy``) gives an independent counter with the same values.

    Args:
        num_samples (int): Samples in the dataset.
    """

    def __init__(self, num_samples: int) -> None:
        self._init_shared(num_samples, (0, 0, 0), None)

    def _init_shared(self, num_samples: int, values, flags) -> None:
        self.num_samples = int(num_samples)
        # a lock of the spawn context also works in forked processes (a
        # fork-context lock refuses to be sent to spawned ones)
        self._lock = multiprocessing.get_context('spawn').Lock()
        # loaded, broken, broken_files
        self._values = multiprocessing.RawArray('q', list(values))
        self._flags = multiprocessing.RawArray('b', max(self.num_samples, 1))
        if flags is not None:
            self._flags[:len(flags)] = flags

    def record_loaded(self) -> Dict[str, int]:
        """Count one sample that loaded.

        Returns:
            dict[str, int]: The counts after this one (see :meth:`counts`).
        """
        with self._lock:
            self._values[0] += 1
            return self._counts()

    def record_broken(self, index: int) -> Dict[str, int]:
        """Count one failed load of sample ``index``.

        Args:
            index (int): The sample's index in the dataset.

        Returns:
            dict[str, int]: The counts after this one plus ``first``: 1 when
            this is the first failure of ``index`` in the run, else 0.
        """
        with self._lock:
            first = int(self._flags[index] == 0)
            self._flags[index] = 1
            self._values[0] += 1
            self._values[1] += 1
            self._values[2] += first
            counts = self._counts()
        counts['first'] = first
        return counts

    def _counts(self) -> Dict[str, int]:
        loaded, broken, broken_files = self._values[:]
        return dict(loaded=loaded, broken=broken, broken_files=broken_files)

    def counts(self) -> Dict[str, int]:
        """The numbers so far, over all workers.

        Returns:
            dict[str, int]: ``loaded`` (load attempts, broken ones
            included), ``broken`` (failed attempts) and ``broken_files``
            (distinct samples that failed at least once).
        """
        with self._lock:
            return self._counts()

    def __getstate__(self) -> dict:
        if mp_context.get_spawning_popen() is not None:
            # starting a worker: hand over the shared memory itself
            return dict(shared=(self.num_samples, self._lock, self._values,
                                self._flags))
        with self._lock:
            values, flags = tuple(self._values[:]), bytes(self._flags)
        return dict(copy=(self.num_samples, values, flags))

    def __setstate__(self, state: dict) -> None:
        if 'shared' in state:
            (self.num_samples, self._lock, self._values,
             self._flags) = state['shared']
        else:
            self._init_shared(*state['copy'])
