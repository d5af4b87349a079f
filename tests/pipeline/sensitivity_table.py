#!/usr/bin/env python3
"""How far each clip's tracking moves under a perturbation far below a pixel,
next to how far it is from MediaPipe's own Holistic: prints the markdown
table of docs/AGREEMENT.md's sensitivity section. Not part of the test suite
(it reads folders you name).

Per clip, `signprep landmarks` runs three times: as is, and with every
tracked crop moved +SHIFT and -SHIFT pixels (`--perturb-crops`). Per block,
each cell gives the share of frames where the block is found in the same
frames, and the 95th percentile of |dx|, |dy| where both have it:
  golden: signprep against MediaPipe's run (the issues' check);
  spread: the larger of signprep against its own +SHIFT and -SHIFT runs.
  MediaPipe: (with --mediapipe-shifted) the golden run against MediaPipe's
    own runs of the same clip with the frame moved +SHIFT and -SHIFT pixels
    (the reference harness's --shift-px, see docs/AGREEMENT.md).
The second verdict widens each per-block bound to twice the larger spread
(compare_golden.failures_beyond_spread). Where the spread is as large as the
difference to MediaPipe, the clip's tracking amplifies differences far below
a pixel into the one measured, and no implementation that rounds differently
from MediaPipe's WebGL crops and XNNPACK kernels can follow it closer.

usage: sensitivity_table.py SIGNPREP VIDEOS_DIR GOLDEN_DIR [--shift 0.001]
                            [--mediapipe-shifted PLUS_DIR MINUS_DIR]
                            [--keypoint-precision fp32|bf16]
"""
import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "landmarks"))
import compare_golden  # noqa: E402

FPS = "30"  # the golden files' rate; landmarks samples with their rule by default
BLOCKS = ["pose", "left_hand", "right_hand", "face"]
VIDEO_SUFFIXES = (".mp4", ".mov", ".webm", ".mkv", ".avi")


def run_landmarks(signprep, video, out, shift, precision):
    subprocess.run([signprep, "landmarks", video, "--out", out, "--target-fps", FPS,
                    "--perturb-crops", str(shift), "--keypoint-precision", precision],
                   check=True, capture_output=True)


def figures(runs, key):
    """The lower same-frames share and the larger p95 of some comparisons."""
    presence = min(r[key]["presence_agreement"] for r in runs)
    p95 = max(r[key]["xy_p95"] for r in runs)
    return f"{presence:.3f} / {p95:.4f}"


def mediapipe_spreads(gold, shifted_dirs):
    """MediaPipe's golden run against its shifted runs, or [] where one is missing."""
    shifted = [d / gold.name for d in shifted_dirs]
    if not shifted or not all(p.exists() for p in shifted):
        return []
    return [compare_golden.compare(gold, p) for p in shifted]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("signprep")
    parser.add_argument("videos", type=Path)
    parser.add_argument("golden", type=Path)
    parser.add_argument("--shift", type=float, default=0.001, help="pixels (default 0.001)")
    parser.add_argument("--mediapipe-shifted", nargs=2, type=Path, default=[],
                        metavar=("PLUS_DIR", "MINUS_DIR"),
                        help="MediaPipe's runs with the frame moved +SHIFT and -SHIFT pixels "
                             "(golden files of the same names)")
    parser.add_argument("--keypoint-precision", default="fp32", choices=["fp32", "bf16"],
                        help="the models' precision in every run (default fp32)")
    args = parser.parse_args()
    pairs = [(v, args.golden / (v.stem + ".npz")) for v in sorted(args.videos.iterdir())
             if v.suffix.lower() in VIDEO_SUFFIXES and (args.golden / (v.stem + ".npz")).exists()]
    header = ["clip", "issues' bounds", "bounds or twice the larger spread"]
    for key in BLOCKS:
        header += [f"{key}: golden same frames / p95", f"{key}: signprep spread"]
        if args.mediapipe_shifted:
            header.append(f"{key}: MediaPipe spread")
    print("| " + " | ".join(header) + " |")
    print("|---" * len(header) + "|")
    with tempfile.TemporaryDirectory() as tmp:
        for video, gold in pairs:
            runs = {}
            for shift in (0.0, args.shift, -args.shift):
                runs[shift] = Path(tmp) / f"{video.stem}_{shift}.npz"
                run_landmarks(args.signprep, video, runs[shift], shift, args.keypoint_precision)
            golden = compare_golden.compare(runs[0.0], gold)
            ours = [compare_golden.compare(runs[0.0], runs[s]) for s in (args.shift, -args.shift)]
            theirs = mediapipe_spreads(gold, args.mediapipe_shifted)
            bad = compare_golden.failures(golden)
            unexplained = compare_golden.failures_beyond_spread(golden, ours + theirs)
            cells = [video.stem, "; ".join(bad) if bad else "pass",
                     "; ".join(unexplained) if unexplained else "pass"]
            for key in BLOCKS:
                cells += [figures([golden], key), figures(ours, key)]
                if args.mediapipe_shifted:
                    cells.append(figures(theirs, key) if theirs else "-")
            print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
