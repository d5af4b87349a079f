"""`signprep IN OUT --write-keypoints` end to end on the three clips in samples/:
the files as the Python tool wrote them (shared/ORIGINAL_FORMAT.md) and their
keypoints against MediaPipe's own Holistic (golden X and mask, made by
shared/reference/holistic_js with the Python tool's keypoint branch at 30 fps),
with issue 5's bounds; the occlusion flag against an independent
implementation of the rule applied to the golden keypoints."""
import csv
import json
import os
import re
import subprocess
import tempfile
import unittest
from pathlib import Path

import numpy as np

from occlusion_reference import occluded

SIGNPREP = os.environ["SIGNPREP"]
ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "data" / "golden" / "holistic"
CLIPS = ["numbers_20_90_144p12", "wave_webcam_540x720p30", "webcam_man_480p15"]
META_KEYS = ["video", "target_fps", "out_size", "dims_per_frame", "keypoints_total", "order",
             "pose_indices", "face_indices", "conf_thresh", "interpolation_max_gap"]

class KeypointsRun(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = Path(cls.tmp.name) / "out"
        cls.result = subprocess.run(
            [SIGNPREP, ROOT / "samples", cls.out, "--write-keypoints", "--target-fps", "30",
             "--sampling", "python", "--gloss-id", "7", "--verbose"],
            capture_output=True, text=True)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_run_succeeds_and_reports_stage_times(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        for stage in ("decode", "segmentation", "pose", "hands", "face", "writing"):
            self.assertIn(stage, self.result.stderr)

    def test_inference_is_a_part_of_the_network_stages(self):
        lines = re.findall(r"frames; seconds: (.+); inference ([\d.]+)", self.result.stderr)
        self.assertEqual(len(lines), 3, self.result.stderr)
        for stages, inference in lines:
            seconds = {name: float(value) for name, value in
                       (part.rsplit(" ", 1) for part in stages.split(", "))}
            network_stages = sum(seconds[s] for s in ("segmentation", "pose", "hands", "face"))
            # timed inside those stages' timers, so never more than they took
            self.assertGreater(float(inference), 0)
            # each figure printed to the millisecond: five roundings
            self.assertLessEqual(float(inference), network_stages + 0.0025)

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

    # Without --occ-enable: the Python tool computes the flag whenever it
    # writes keypoints (issue 21), and webcam_man_480p15 is occluded.
    def test_labels_carry_the_occlusion_flag_of_the_golden_keypoints(self):
        with open(self.out / "labels.csv", newline="") as f:
            rows = {r["file"]: r for r in csv.DictReader(f)}
        self.assertEqual(sorted(rows), [f"{c}.npz" for c in CLIPS])
        for clip in CLIPS:
            with np.load(GOLDEN / f"{clip}.npz") as gold:
                expected = occluded(gold["X"], gold["mask"])
            self.assertEqual(rows[f"{clip}.npz"]["occluded"], str(int(expected)), clip)
            with np.load(self.out / f"{clip}.npz") as ours:
                meta = json.loads(str(ours["meta"]))
            # The original project's newer viewer reads the flag from meta, as an int.
            self.assertEqual((meta["occluded"], meta["occluded_flag"]),
                             (bool(expected), int(expected)), clip)
            self.assertEqual(rows[f"{clip}.npz"]["gloss"], "7")
            with np.load(self.out / f"{clip}.npz") as npz:
                meta = json.loads(str(npz["meta"]))
            self.assertTrue(meta["occlusion"]["enabled"], clip)
            self.assertEqual(meta["occluded"], expected, clip)


class ShortRun(unittest.TestCase):
    """The keypoint run on a few frames of one clip: what the sanitizer build
    runs in place of KeypointsRun (scripts/test). --occ-enable, the Python
    tool's flag, is accepted."""

    def test_files_of_a_short_run(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out"
            video = ROOT / "samples" / "numbers_20_90_144p12.mp4"
            result = subprocess.run([SIGNPREP, video, out, "--write-keypoints", "--target-fps",
                                     "2", "--id", "1", "--occ-enable"],
                                    capture_output=True, text=True)
            self.assertEqual(result.returncode, 0, result.stderr)
            with np.load(out / "numbers_20_90_144p12.npz") as npz:
                self.assertEqual(npz["X"].shape, (29, 156))
                mask = npz["mask"]
                # Pose 0..24 and face always found, the right hand (46..66) too.
                self.assertTrue(mask[:, 46:78].all())
                self.assertFalse(mask[:, 25:46].any())
            self.assertEqual((out / "numbers_20_90_144p12.parquet").read_bytes()[:4], b"PAR1")
            self.assertTrue((out / "labels.csv").exists())


if __name__ == "__main__":
    unittest.main()
