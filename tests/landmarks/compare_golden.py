#!/usr/bin/env python3
"""Compares `signprep landmarks` output with a golden Holistic file (MediaPipe's
own implementation, tests/data/golden/holistic/) and checks the issues' bounds.

usage: compare_golden.py OURS.npz GOLDEN.npz [--report-only]

Frames are paired by timestamps_ms. Each block that OURS holds (pose: points
0..24, the ones signprep keeps; face: all 478; hands: all 21) must be present
in the same frames (pose >= 98%, face and hands >= 97%) and, where both have
it, differ in x and y by at most 0.005 at the median and 0.02 at the 95th
percentile. Pose visibility >= 0.5 must agree on >= 97% of point-frames, and
the foreground share of the segmentation within 0.01 at the median.
"""
import json
import sys

import numpy as np

BLOCKS = {  # key: (points compared, presence bound)
    "pose": (25, 0.98),
    "face": (478, 0.97),
    "left_hand": (21, 0.97),
    "right_hand": (21, 0.97),
}


def compare_block(ours, gold, oi, gi, key, points):
    op, gp = ours[key + "_present"][oi], gold[key + "_present"][gi]
    both = op & gp
    a, b = ours[key][oi][both][:, :points, :2], gold[key][gi][both][:, :points, :2]
    d = np.abs(a - b).ravel()
    return {"presence_agreement": float(np.mean(op == gp)), "frames_both": int(both.sum()),
            "xy_median": float(np.median(d)) if d.size else 0.0,
            "xy_p95": float(np.percentile(d, 95)) if d.size else 0.0,
            "xy_max": float(d.max()) if d.size else 0.0}


def compare(ours_path, golden_path):
    ours, gold = np.load(ours_path), np.load(golden_path)
    common, oi, gi = np.intersect1d(ours["timestamps_ms"], gold["timestamps_ms"], return_indices=True)
    figures = {"frames_ours": int(len(ours["timestamps_ms"])), "frames_golden": int(len(gold["timestamps_ms"])),
               "frames_paired": int(len(common))}
    for key, (points, _) in BLOCKS.items():
        if key in ours.files:
            figures[key] = compare_block(ours, gold, oi, gi, key, points)
    op, gp = ours["pose_present"][oi], gold["pose_present"][gi]
    vis_ours = np.where(op[:, None], ours["pose"][oi][:, :25, 3] >= 0.5, False)
    vis_gold = np.where(gp[:, None], gold["pose"][gi][:, :25, 3] >= 0.5, False)
    figures["pose_visibility_agreement"] = float(np.mean(vis_ours == vis_gold))
    fg = np.abs(ours["seg_fg_fraction"][oi] - gold["seg_fg_fraction"][gi])
    figures["fg_fraction_median"] = float(np.median(fg))
    figures["fg_fraction_max"] = float(fg.max())
    return figures


def failures(f):
    # With signprep's default sampling (the foundation issue's 0.001 ms
    # tolerance) some frames of 50 and 60 fps clips have no partner; with
    # --sampling python, the golden runs' rule, every frame pairs.
    bad = []
    if f["frames_paired"] < 0.98 * f["frames_golden"]:
        bad.append("too few frames paired by timestamp")
    for key, (_, presence) in BLOCKS.items():
        if key not in f:
            continue
        b = f[key]
        if b["presence_agreement"] < presence:
            bad.append(f"{key}: presence agreement < {presence}")
        if b["xy_median"] > 0.005:
            bad.append(f"{key}: median dxy > 0.005")
        if b["xy_p95"] > 0.02:
            bad.append(f"{key}: p95 dxy > 0.02")
    if f["pose_visibility_agreement"] < 0.97:
        bad.append("pose visibility agreement < 0.97")
    if f["fg_fraction_median"] > 0.01:
        bad.append("median foreground share difference > 0.01")
    return bad


def failures_beyond_spread(golden, spreads):
    """The per-block bounds of failures(), each widened to twice the largest
    spread: `golden` is compare() of signprep against MediaPipe, `spreads`
    compare()s of runs that differ from one of them by a disturbance far
    below a pixel: signprep against its runs with perturbed crops (`signprep
    landmarks --perturb-crops`), MediaPipe against its runs with the frame
    moved (the reference harness's --shift-px). Differences of presence count
    in frames. What remains names a gap that sub-pixel sensitivity does not
    explain."""
    frames = golden["frames_paired"]
    bad = []
    for key, (_, presence) in BLOCKS.items():
        if key not in golden:
            continue
        apart = round((1 - golden[key]["presence_agreement"]) * frames)
        spread_apart = max(round((1 - s[key]["presence_agreement"]) * frames) for s in spreads)
        if apart > max(2 * spread_apart, int((1 - presence) * frames)):
            bad.append(f"{key}: found in {apart} frames apart, spread {spread_apart}")
        for stat, bound in (("xy_median", 0.005), ("xy_p95", 0.02)):
            spread = max(s[key][stat] for s in spreads)
            if golden[key][stat] > max(2 * spread, bound):
                bad.append(f"{key}: {stat} {golden[key][stat]:.4f}, spread {spread:.4f}")
    return bad


def main():
    figures = compare(sys.argv[1], sys.argv[2])
    print(json.dumps(figures, indent=1))
    bad = failures(figures)
    for b in bad:
        print("FAIL:", b)
    return 0 if not bad or "--report-only" in sys.argv else 1


if __name__ == "__main__":
    sys.exit(main())
