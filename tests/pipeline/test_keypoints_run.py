"""`signprep IN OUT --write-keypoints` end to end on the three clips in samples/:
the files as the Python tool wrote them (shared/ORIGINAL_FORMAT.md) and their
keypoints against MediaPipe's own Holistic (golden X and mask, made by
shared/reference/holistic_js with the Python tool's keypoint branch at 30 fps),
with issue 5's bounds; the occlusion flag against an independent
implementation of the rule applied to the golden keypoints."""
import csv
import json
import os
import subprocess
import tempfile
import unittest
from pathlib import Path

import numpy as np

SIGNPREP = os.environ["SIGNPREP"]
ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "data" / "golden" / "holistic"
CLIPS = ["numbers_20_90_144p12", "wave_webcam_540x720p30", "webcam_man_480p15"]
META_KEYS = ["video", "target_fps", "out_size", "dims_per_frame", "keypoints_total", "order",
             "pose_indices", "face_indices", "conf_thresh", "interpolation_max_gap"]

FACE, LEFT, RIGHT = 67, 25, 46


def frame_occluded_by_hand(xy, visible):
    """The documented hand-over-face rule for one frame (README, occlusion)."""
    face = [k for k in range(FACE, FACE + 11) if visible[k]]
    if len(face) < 5:
        return None
    fx, fy = xy[face, 0], xy[face, 1]
    cx, cy = (fx.min() + fx.max()) / 2, (fy.min() + fy.max()) / 2
    ax = max((fx.max() - fx.min()) / 2 * 1.3, 1e-3)
    ay = max((fy.max() - fy.min()) / 2 * 1.3, 1e-3)

    def inside(p, scale=1.0):
        return ((p[0] - cx) / (ax * scale)) ** 2 + ((p[1] - cy) / (ay * scale)) ** 2 <= 1.0

    for hand in (LEFT, RIGHT):
        if visible[hand:hand + 21].sum() < 4:
            continue
        if any(visible[hand + tip] and inside(xy[hand + tip]) for tip in (4, 8, 12, 16, 20)):
            return True
        palm = [hand + p for p in (5, 9, 13, 17) if visible[hand + p]]
        if len(palm) >= 2:
            centre = xy[palm].mean(axis=0)
        elif visible[hand]:
            centre = xy[hand]
        else:
            continue
        if inside(centre, 1.2):
            return True
    return False


def clip_flag(flags, frame_prop=0.4, min_run=15):
    if not flags:
        return False
    run = longest = 0
    for f in flags:
        run = run + 1 if f else 0
        longest = max(longest, run)
    return sum(flags) / len(flags) >= frame_prop or longest >= min_run


def occluded(X, mask):
    xy = X.reshape(len(X), 78, 2).astype(np.float64)
    per_frame = [frame_occluded_by_hand(xy[t], mask[t]) for t in range(len(X))]
    over = [bool(f) for f in per_frame]
    if all(f is None for f in per_frame) or not any(over):
        return clip_flag([mask[t].sum() / 78 < 0.6 for t in range(len(X))])
    return clip_flag(over)


class KeypointsRun(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = Path(cls.tmp.name) / "out"
        cls.result = subprocess.run(
            [SIGNPREP, ROOT / "samples", cls.out, "--write-keypoints", "--target-fps", "30",
             "--gloss-id", "7", "--occ-enable", "--verbose"], capture_output=True, text=True)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_run_succeeds_and_reports_stage_times(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        for stage in ("decode", "segmentation", "pose", "hands", "face", "writing"):
            self.assertIn(stage, self.result.stderr)

    def test_npz_has_the_python_tools_members(self):
        for clip in CLIPS:
            with np.load(self.out / f"{clip}.npz") as npz:
                self.assertEqual(npz.files, ["X", "mask", "timestamps_ms", "meta"])
                T = len(npz["timestamps_ms"])
                self.assertEqual((npz["X"].dtype, npz["X"].shape), (np.float32, (T, 156)))
                self.assertEqual((npz["mask"].dtype, npz["mask"].shape), (np.bool_, (T, 78)))
                self.assertEqual(npz["timestamps_ms"].dtype, np.int64)
                self.assertTrue(((npz["X"] >= 0) & (npz["X"] <= 1)).all())
                meta = json.loads(str(npz["meta"]))
                self.assertEqual(list(meta)[:len(META_KEYS)], META_KEYS)
                self.assertEqual(meta["video"], f"{clip}.mp4")
            self.assertEqual((self.out / f"{clip}.parquet").read_bytes()[:4], b"PAR1")

    def test_keypoints_match_mediapipe(self):
        for clip in CLIPS:
            with np.load(self.out / f"{clip}.npz") as ours, np.load(GOLDEN / f"{clip}.npz") as gold:
                np.testing.assert_array_equal(ours["timestamps_ms"], gold["timestamps_ms"])
                mask, gmask = ours["mask"], gold["mask"]
                agreement = (mask == gmask).mean()
                both = mask & gmask
                X = ours["X"].reshape(-1, 78, 2)[both]
                G = gold["X"].reshape(-1, 78, 2)[both]
                d = np.abs(X - G).ravel()
                figures = (clip, agreement, np.median(d), np.percentile(d, 95))
                self.assertGreaterEqual(agreement, 0.97, figures)
                self.assertLessEqual(np.median(d), 0.005, figures)
                self.assertLessEqual(np.percentile(d, 95), 0.02, figures)

    def test_labels_carry_the_occlusion_flag_of_the_golden_keypoints(self):
        with open(self.out / "labels.csv", newline="") as f:
            rows = {r["file"]: r for r in csv.DictReader(f)}
        self.assertEqual(sorted(rows), [f"{c}.npz" for c in CLIPS])
        for clip in CLIPS:
            with np.load(GOLDEN / f"{clip}.npz") as gold:
                expected = occluded(gold["X"], gold["mask"])
            self.assertEqual(rows[f"{clip}.npz"]["occluded"], str(int(expected)), clip)
            self.assertEqual(rows[f"{clip}.npz"]["gloss"], "7")


if __name__ == "__main__":
    unittest.main()
