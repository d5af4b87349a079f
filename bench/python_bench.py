#!/usr/bin/env python3
"""The Python module against the command line on the same clips and work
(issue 23): keypoints of every clip with one extractor, medians of
alternating repetitions.

  PYTHONPATH=build/python bench/python_bench.py [VIDEOS...] [--reps 3]

Rows (seconds a sampled frame, model loading excluded on both sides):
  cli        build/signprep CLIPS OUT --write-keypoints --workers 1: each
             clip's seconds from run_report.json
  extract    signprep.Extractor().extract(clip), the same work in-process
  script     the MediaPipe-style loop (VideoReader, cv2.resize, selfie
             segmentation, solutions.holistic): Python per frame
  threads    two clips in two threads against the same two one after the
             other (wall time ratio; 0.5 is perfect on 2 cores)
"""
import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))
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
    extractor = signprep.Extractor()
    extractors = [signprep.Extractor(), signprep.Extractor()]
    pair = [clips[0], clips[-1]]
    rows = {"cli": [], "extract": [], "script": [], "threads": []}
    for _ in range(args.reps):
        rows["cli"].append(cli_seconds_per_frame(clips))
        rows["extract"].append(extract_seconds_per_frame(extractor, clips))
        rows["script"].append(script_seconds_per_frame(clips))
        rows["threads"].append(thread_ratio(extractors, pair))
    cli = statistics.median(rows["cli"])
    print(f"clips: {', '.join(c.name for c in clips)}; {args.reps} alternating repetitions")
    for name in ("cli", "extract", "script"):
        value = statistics.median(rows[name])
        print(f"{name:8s} {value * 1000:7.2f} ms a frame  ({value / cli:.3f}x cli)  "
              f"runs: {', '.join(f'{v * 1000:.2f}' for v in rows[name])}")
    print(f"threads  two clips in two threads / one after the other: "
          f"{statistics.median(rows['threads']):.3f}  runs: "
          f"{', '.join(f'{v:.3f}' for v in rows['threads'])}")


if __name__ == "__main__":
    main()
