#!/usr/bin/env python3
"""The Python module against the command line on the same clips and work
(issue 23): keypoints of every clip with one extractor, medians of
alternating repetitions.

  bench/python_bench.py [VIDEOS...] [--reps 3]     (imports this checkout's build/python)

Rows (seconds a sampled frame, model loading excluded on both sides):
  cli        build/signprep CLIPS OUT --write-keypoints --workers 1: each
             clip's seconds from run_report.json; its one worker runs the
             models on every core (N OpenMP threads)
  extract    signprep.Extractor(threads=N).extract(clip): the same work
             in-process, the Python module's overhead against the CLI
  extract/1  the same on one thread, the baseline of the next row
  script     the MediaPipe-style loop (VideoReader, cv2.resize, selfie
             segmentation, solutions.holistic, one thread): Python per frame
  threads    one clip twice in two threads (one thread each) against twice
             one after the other (wall time ratio; 0.5 is perfect on 2 cores)
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
# This checkout's module and the tests' MediaPipe-style script, whatever
# another checkout's setup put on the user's path.
sys.path[:0] = [str(ROOT / "build" / "python"), str(ROOT / "tests" / "python")]
import signprep  # noqa: E402
import mediapipe_style_script  # noqa: E402


def cli_seconds_per_frame(clips):
    with tempfile.TemporaryDirectory() as tmp:
        videos = Path(tmp) / "in"
        videos.mkdir()
        for clip in clips:
            (videos / clip.name).symlink_to(clip.resolve())
        subprocess.run([ROOT / "build" / "signprep", videos, Path(tmp) / "out",
                        "--write-keypoints", "--workers", "1", "--quiet"], check=True)
        report = json.loads((Path(tmp) / "out" / "run_report.json").read_text())
    videos = report["videos"]
    return sum(v["seconds"] for v in videos) / sum(v["frames"] for v in videos)


def extract_seconds_per_frame(extractor, clips):
    frames = 0
    start = time.perf_counter()
    for clip in clips:
        frames += len(extractor.extract(clip)["timestamps_ms"])
    return (time.perf_counter() - start) / frames


def script_seconds_per_frame(clips):
    frames = 0
    start = time.perf_counter()
    for clip in clips:
        x, _ = mediapipe_style_script.keypoints(
            rgb for _, rgb in signprep.VideoReader(clip, target_fps=15))
        frames += len(x)
    return (time.perf_counter() - start) / frames


def thread_ratio(extractors, pair):
    start = time.perf_counter()
    for extractor, clip in zip(extractors, pair):
        extractor.extract(clip)
    serial = time.perf_counter() - start
    threads = [threading.Thread(target=e.extract, args=(c,)) for e, c in zip(extractors, pair)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return (time.perf_counter() - start) / serial


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("videos", nargs="*", type=Path)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    clips = sorted(args.videos) or sorted((ROOT / "samples").glob("*.mp4"))
    cores = len(os.sched_getaffinity(0))
    extractor = signprep.Extractor(threads=cores)  # as the CLI's one worker
    single = signprep.Extractor(threads=1)
    extractors = [signprep.Extractor(), signprep.Extractor()]
    pair = [clips[-1], clips[-1]]  # the same clip twice: 0.5 is the ideal
    rows = {"cli": [], "extract": [], "extract/1": [], "script": [], "threads": []}
    for _ in range(args.reps):
        rows["cli"].append(cli_seconds_per_frame(clips))
        rows["extract"].append(extract_seconds_per_frame(extractor, clips))
        rows["extract/1"].append(extract_seconds_per_frame(single, clips))
        rows["script"].append(script_seconds_per_frame(clips))
        rows["threads"].append(thread_ratio(extractors, pair))
    print(f"clips: {', '.join(c.name for c in clips)}; {args.reps} alternating repetitions; "
          f"N = {cores} threads")
    for name, baseline in (("cli", "cli"), ("extract", "cli"), ("extract/1", "extract/1"),
                           ("script", "extract/1")):
        value = statistics.median(rows[name])
        ratio = value / statistics.median(rows[baseline])
        print(f"{name:9s} {value * 1000:7.2f} ms a frame  ({ratio:.3f}x {baseline})  "
              f"runs: {', '.join(f'{v * 1000:.2f}' for v in rows[name])}")
    print(f"threads  two clips in two threads / one after the other: "
          f"{statistics.median(rows['threads']):.3f}  runs: "
          f"{', '.join(f'{v:.3f}' for v in rows['threads'])}")


if __name__ == "__main__":
    main()
