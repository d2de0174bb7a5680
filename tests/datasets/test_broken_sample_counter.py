"""Shared loaded/broken counts: atomic updates seen by every process."""
import copy
import multiprocessing
import pickle

from rspnet_mm.datasets import BrokenSampleCounter


def _record(counter, indices):
    for index in indices:
        counter.record_loaded()
        counter.record_broken(index)


def test_counts_and_first_failure_per_sample():
    counter = BrokenSampleCounter(5)
    assert counter.record_loaded() == dict(loaded=1, broken=0,
                                           broken_files=0)
    assert counter.record_broken(3) == dict(loaded=2, broken=1,
                                            broken_files=1, first=1)
    assert counter.record_broken(3)['first'] == 0  # reported already
    assert counter.counts() == dict(loaded=3, broken=2, broken_files=1)


def test_forked_processes_add_to_the_same_counts():
    counter = BrokenSampleCounter(100)
    ctx = multiprocessing.get_context('fork')
    workers = [ctx.Process(target=_record, args=(counter, range(i, 100, 4)))
               for i in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert counter.counts() == dict(loaded=200, broken=100,
                                    broken_files=100)


def test_copies_are_independent_with_the_same_values():
    counter = BrokenSampleCounter(4)
    counter.record_broken(2)
    for clone in (copy.deepcopy(counter),
                  pickle.loads(pickle.dumps(counter))):
        assert clone.counts() == counter.counts()
        assert clone.record_broken(2)['first'] == 0
        clone.record_loaded()
        assert counter.counts() == dict(loaded=1, broken=1,
                                        broken_files=1)
