#!/usr/bin/python3
"""Throughput of a whole run by worker count: the same folder of clips with
--workers 1 (its default threads: all cores), --workers 1 on one core
(taskset, so one thread: the one-process baseline), and --workers N; each
configuration run --reps times, interleaved, medians reported (the machine
is shared and noisy). Wall clock from start to summary, model loading
included; frames are the kept frames run_report.json counts.

    bench/workers.py VIDEOS [--workers N] [--reps 3] [-- extra signprep args]

Default extra args: --write-keypoints --target-fps 15 --quiet.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIGNPREP = Path(__file__).resolve().parents[1] / "build" / "signprep"


def run_once(prefix, videos, workers, extra):
    with tempfile.TemporaryDirectory() as out:
        start = time.monotonic()
        result = subprocess.run([*prefix, str(SIGNPREP), str(videos), out, "--workers",
                                 str(workers), *extra], capture_output=True, text=True)
        seconds = time.monotonic() - start
        if result.returncode != 0:
            sys.exit(f"signprep failed ({result.returncode}):\n{result.stderr}")
        with open(Path(out) / "run_report.json") as f:
            videos_run = json.load(f)["videos"]
        peak = re.search(r"peak worker memory: (\d+) MiB", result.stderr)
        return (seconds, sum(v["frames"] for v in videos_run), len(videos_run),
                int(peak.group(1)) if peak else 0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("videos", type=Path)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("extra", nargs="*",
                        default=["--write-keypoints", "--target-fps", "15", "--quiet"])
    args = parser.parse_args()
    configs = {
        "1 worker, 1 core (taskset)": (["taskset", "-c", "0"], 1),
        f"1 worker, {os.cpu_count()} threads": ([], 1),
        f"{args.workers} workers": ([], args.workers),
    }
    seconds = {name: [] for name in configs}
    frames = {}
    peaks = {name: [] for name in configs}
    for rep in range(args.reps):
        for name, (prefix, workers) in configs.items():
            s, f, count, peak = run_once(prefix, args.videos, workers, args.extra)
            seconds[name].append(s)
            peaks[name].append(peak)
            frames[name] = f
            print(f"rep {rep + 1}: {name}: {s:.1f} s, {f} frames, peak worker {peak} MiB",
                  flush=True)
    print(f"\n{args.videos}: {count} videos, "
          f"signprep args: {' '.join(args.extra)}")
    print("| configuration | median s | frames/s | peak worker MiB | vs 1 core | vs 1 worker |")
    print("|---|---|---|---|---|---|")
    names = list(configs)
    base_core = statistics.median(seconds[names[0]])
    base_worker = statistics.median(seconds[names[1]])
    for name in names:
        median = statistics.median(seconds[name])
        print(f"| {name} | {median:.1f} | {frames[name] / median:.1f} | {max(peaks[name])} | "
              f"{base_core / median:.2f}x | {base_worker / median:.2f}x |")


if __name__ == "__main__":
    main()
