#!/usr/bin/env python3
"""Per-frame time of each Holistic setting and output (issue 24, items 2, 3, 5): keypoint runs
of the same clips with --workers 1, the settings in turn, repeated; medians
and the ratio to the default measured in the same rounds.

  bench/holistic_settings.py [VIDEOS_DIR] [--reps 3]

A clip's seconds come from run_report.json (decode to written files, model
loading excluded), divided by its sampled frames.
"""
import argparse
import json
import statistics
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = {
    "default (complexity 1, refined face, smoothing, segmentation)": [],
    "--model-complexity 0": ["--model-complexity", "0"],
    "--model-complexity 2": ["--model-complexity", "2"],
    "--no-refine-face": ["--no-refine-face"],
    "--no-smooth-landmarks": ["--no-smooth-landmarks"],
    "--no-segmentation": ["--no-segmentation"],
    "--model-complexity 0 --no-refine-face --no-segmentation":
        ["--model-complexity", "0", "--no-refine-face", "--no-segmentation"],
    # What the whole output costs beyond the 78 points: keeping the blocks,
    # writing them, and the ISLR table of 543 rows a frame.
    "--keypoints full": ["--keypoints", "full"],
    "--keypoints full --format islr": ["--keypoints", "full", "--format", "islr"],
}


def seconds_per_frame(videos, flags):
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([ROOT / "build" / "signprep", videos, out, "--write-keypoints",
                        "--workers", "1", "--quiet", *flags], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        report = json.loads((Path(out) / "run_report.json").read_text())
    return (sum(v["seconds"] for v in report["videos"]) /
            sum(v["frames"] for v in report["videos"]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("videos", nargs="?", type=Path, default=ROOT / "samples")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    runs = {name: [] for name in SETTINGS}
    for _ in range(args.reps):
        for name, flags in SETTINGS.items():
            runs[name].append(seconds_per_frame(args.videos, flags))
    default = statistics.median(next(iter(runs.values())))
    print(f"{args.videos}: {args.reps} rounds, 1 worker; ms a sampled frame (median), "
          "ratio to the default")
    print("| setting | ms a frame | vs default | runs |")
    print("|---|---|---|---|")
    for name, values in runs.items():
        median = statistics.median(values)
        print(f"| {name} | {median * 1000:.1f} | {median / default:.2f} | "
              f"{', '.join(f'{v * 1000:.1f}' for v in values)} |")


if __name__ == "__main__":
    main()
