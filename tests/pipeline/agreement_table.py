#!/usr/bin/env python3
"""signprep against MediaPipe's own Holistic on every video that has a golden
file: prints the two markdown tables of docs/AGREEMENT.md. Not part of the
test suite (it reads folders you name; the suite checks the clips in
samples/).

1. `signprep landmarks` per block, compare_golden.py's figures and verdict.
2. `signprep VIDEOS OUT --write-keypoints --occ-enable`: the 78-point X and
   mask against the golden X and mask, and the labels' occlusion flag against
   occlusion_reference.py on the golden keypoints.

usage: agreement_table.py SIGNPREP VIDEOS_DIR GOLDEN_DIR
e.g.   tests/pipeline/agreement_table.py build/signprep \\
           ../shared/testdata/videos ../shared/testdata/golden/holistic
"""
import csv
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "landmarks"))
import compare_golden  # noqa: E402
from occlusion_reference import occluded  # noqa: E402

FPS = "30"  # the golden files' sampling rate, with the Python tool's rule (--sampling python)
BLOCKS = ["pose", "left_hand", "right_hand", "face"]
VIDEO_SUFFIXES = (".mp4", ".mov", ".webm", ".mkv", ".avi")


def table(header):
    print("| " + " | ".join(header) + " |")
    print("|---" * len(header) + "|")


def landmarks_row(name, f):
    cells = [name, f"{f['frames_paired']}/{f['frames_golden']}"]
    for key in BLOCKS:
        b = f[key]
        cells.append(f"{b['presence_agreement']:.3f} / {b['frames_both']} / "
                     f"{b['xy_median']:.1e} / {b['xy_p95']:.4f}")
    cells.append(f"{f['pose_visibility_agreement']:.3f}")
    bad = compare_golden.failures(f)
    cells.append("; ".join(bad) if bad else "pass")
    return "| " + " | ".join(cells) + " |"


def keypoints_row(name, ours_path, gold_path, flag):
    with np.load(ours_path) as ours, np.load(gold_path) as gold:
        common, oi, gi = np.intersect1d(ours["timestamps_ms"], gold["timestamps_ms"],
                                        return_indices=True)
        golden_frames = len(gold["timestamps_ms"])
        mask, gmask = ours["mask"][oi], gold["mask"][gi]
        both = mask & gmask
        d = np.abs(ours["X"][oi].reshape(-1, 78, 2)[both] -
                   gold["X"][gi].reshape(-1, 78, 2)[both]).ravel()
        expected = occluded(gold["X"], gold["mask"])
    return (f"| {name} | {len(common)}/{golden_frames} | {(mask == gmask).mean():.4f} | "
            f"{np.median(d):.1e} | {np.percentile(d, 95):.4f} | {flag} / {int(expected)} |")


def main():
    signprep, videos, golden = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    pairs = [(v, golden / (v.stem + ".npz")) for v in sorted(videos.iterdir())
             if v.suffix.lower() in VIDEO_SUFFIXES and (golden / (v.stem + ".npz")).exists()]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        table(["clip", "frames paired"] +
              [f"{b}: same frames / both / median / p95" for b in BLOCKS] +
              ["pose visibility", "verdict"])
        for video, gold in pairs:
            ours = tmp / gold.name
            subprocess.run([signprep, "landmarks", video, "--out", ours, "--target-fps", FPS,
                            "--sampling", "python"], check=True, capture_output=True)
            print(landmarks_row(video.stem, compare_golden.compare(ours, gold)), flush=True)
        print()
        out = tmp / "run"
        subprocess.run([signprep, videos, out, "--write-keypoints",
                        "--target-fps", FPS, "--sampling", "python", "--occ-enable", "--id", "0"],
                       check=True, capture_output=True)
        with open(out / "labels.csv", newline="") as f:
            flags = {r["file"]: r["occluded"] for r in csv.DictReader(f)}
        table(["clip", "frames paired", "mask agreement", "X median", "X p95",
               "occluded: ours / reference"])
        for video, gold in pairs:
            print(keypoints_row(video.stem, out / gold.name, gold, flags[gold.name]), flush=True)


if __name__ == "__main__":
    main()
