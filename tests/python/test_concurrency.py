"""Threads and processes: long calls release the GIL, objects in different
threads run side by side with the results of one thread alone, and a forked
worker (a DataLoader's) runs its own objects after its parent ran models with
OpenMP threads. No leak over 1,000 calls."""
import multiprocessing
import resource
import threading

import numpy as np
import pytest

import signprep
from conftest import CLIPS


def test_a_long_call_releases_the_gil():
    # A Python thread counts while the main thread is inside extract(); with
    # the GIL held for the whole call it could not count at all.
    counted = 0
    stop = threading.Event()

    def count():
        nonlocal counted
        while not stop.is_set():
            counted += 1

    extractor = signprep.Extractor()
    counter = threading.Thread(target=count)
    counter.start()
    try:
        before = counted
        extractor.extract(CLIPS[0])
        during = counted - before
    finally:
        stop.set()
        counter.join()
    assert during > 1000


def test_threads_give_the_results_of_one_thread():
    alone = {clip: signprep.extract(clip) for clip in CLIPS}
    together = {}

    def run(clip):
        together[clip] = signprep.Extractor().extract(clip)

    threads = [threading.Thread(target=run, args=(clip,)) for clip in CLIPS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for clip in CLIPS:
        assert np.array_equal(together[clip]["X"], alone[clip]["X"])
        assert np.array_equal(together[clip]["mask"], alone[clip]["mask"])


def landmarks_in_worker(clip):
    frames = [rgb for _, rgb in signprep.VideoReader(clip, target_fps=5)]
    holistic = signprep.Holistic()
    return [holistic.process(frame).pose for frame in frames]


def test_a_forked_worker_runs_after_its_parent_used_openmp_threads():
    # The parent runs models on 2 OpenMP threads (a pool libgomp keeps), then
    # forks workers as DataLoader does; each makes its own objects.
    parent = signprep.Holistic(threads=2)
    frame = next(iter(signprep.VideoReader(CLIPS[2])))[1]
    parent.process(frame)
    expected = landmarks_in_worker(CLIPS[2])
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pending = pool.map_async(landmarks_in_worker, [CLIPS[2], CLIPS[2]])
        results = pending.get(timeout=300)  # a deadlocked worker fails here, not hangs
    for poses in results:
        assert len(poses) == len(expected)
        for a, b in zip(poses, expected):
            assert (a is None) == (b is None) and (a is None or np.array_equal(a, b))


def peak_rss_kib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def test_no_leak_over_a_thousand_calls():
    frames = [rgb for _, rgb in signprep.VideoReader(CLIPS[1], target_fps=15)][:50]
    holistic = signprep.Holistic()
    segmentation = signprep.SelfieSegmentation()

    def calls(count):
        for i in range(count):
            frame = frames[i % len(frames)]
            result = holistic.process(frame)
            mask = segmentation.process(frame)
            del result, mask
            if i % len(frames) == len(frames) - 1:
                holistic.reset()

    calls(200)  # warm up: allocator pools, oneDNN's caches
    before = peak_rss_kib()
    calls(1000)
    grown_mib = (peak_rss_kib() - before) / 1024
    # A frame's results are ~7 KB of landmarks and ~1.2 MB of mask: a leak of
    # either would grow the peak by 7 MB or 1.2 GB over 1,000 calls.
    assert grown_mib < 4, f"peak RSS grew {grown_mib:.1f} MiB over 1,000 calls"


@pytest.mark.parametrize("make", [
    lambda: signprep.extract(CLIPS[0], target_fps=2)["X"],
    lambda: next(iter(signprep.VideoReader(CLIPS[0])))[1],
])
def test_returned_arrays_are_freed_with_their_last_reference(make):
    import gc
    import weakref
    array = make()
    owner = array.base  # the capsule that owns the C++ vector
    assert owner is not None
    import sys
    assert sys.getrefcount(array) == 2  # the name and getrefcount's argument only
    del array
    gc.collect()
    assert sys.getrefcount(owner) == 2  # only `owner` holds the capsule now
    del weakref
