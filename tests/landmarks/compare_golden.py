#!/usr/bin/env python3
"""Compares `signprep landmarks` output with a golden Holistic file (MediaPipe's
own implementation, tests/data/golden/holistic/) and checks issue 4's bounds.

usage: compare_golden.py OURS.npz GOLDEN.npz [--report-only]

Frames are paired by timestamps_ms. Bounds (issue 4): pose presence equal in
>= 98% of frames; where both have a pose, over pose points 0..24, median
|dx|,|dy| <= 0.005 and 95th percentile <= 0.02; visibility >= 0.5 equal in
>= 97% of point-frames; median |foreground share difference| <= 0.01.
"""
import json
import sys

import numpy as np

UPPER_BODY = 25


def compare(ours_path, golden_path):
    ours, gold = np.load(ours_path), np.load(golden_path)
    common, oi, gi = np.intersect1d(ours["timestamps_ms"], gold["timestamps_ms"], return_indices=True)
    figures = {"frames_ours": int(len(ours["timestamps_ms"])), "frames_golden": int(len(gold["timestamps_ms"])),
               "frames_paired": int(len(common))}
    op, gp = ours["pose_present"][oi], gold["pose_present"][gi]
    figures["pose_presence_agreement"] = float(np.mean(op == gp))
    both = op & gp
    a, b = ours["pose"][oi][both][:, :UPPER_BODY], gold["pose"][gi][both][:, :UPPER_BODY]
    d = np.abs(a[..., :2] - b[..., :2]).ravel()
    figures["frames_both_pose"] = int(both.sum())
    figures["xy_median"] = float(np.median(d)) if d.size else 0.0
    figures["xy_p95"] = float(np.percentile(d, 95)) if d.size else 0.0
    figures["xy_max"] = float(d.max()) if d.size else 0.0
    vis_ours = np.where(op[:, None], ours["pose"][oi][:, :UPPER_BODY, 3] >= 0.5, False)
    vis_gold = np.where(gp[:, None], gold["pose"][gi][:, :UPPER_BODY, 3] >= 0.5, False)
    figures["visibility_agreement"] = float(np.mean(vis_ours == vis_gold))
    fg = np.abs(ours["seg_fg_fraction"][oi] - gold["seg_fg_fraction"][gi])
    figures["fg_fraction_median"] = float(np.median(fg))
    figures["fg_fraction_max"] = float(fg.max())
    return figures


def failures(f):
    bad = []
    if f["frames_paired"] < 0.98 * f["frames_golden"]:
        bad.append("too few frames paired by timestamp")
    if f["pose_presence_agreement"] < 0.98:
        bad.append("pose presence agreement < 0.98")
    if f["xy_median"] > 0.005:
        bad.append("median |dxy| > 0.005")
    if f["xy_p95"] > 0.02:
        bad.append("p95 |dxy| > 0.02")
    if f["visibility_agreement"] < 0.97:
        bad.append("visibility agreement < 0.97")
    if f["fg_fraction_median"] > 0.01:
        bad.append("median foreground share difference > 0.01")
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
