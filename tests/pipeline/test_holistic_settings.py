"""MediaPipe Holistic's options on the command line (issue 24, item 1):
--model-complexity, --no-refine-face, --no-smooth-landmarks, --no-segmentation
change the keypoints, are recorded in meta and run_report.json, and --resume
redoes a clip made with other settings. (Their agreement with MediaPipe's own
Holistic under each setting is docs/AGREEMENT.md's to measure.)"""
import json
import os
import subprocess
import tempfile
import unittest
from pathlib import Path

import numpy as np

SIGNPREP = os.environ["SIGNPREP"]
CLIP = Path(__file__).resolve().parents[2] / "samples" / "webcam_man_480p15.mp4"
SETTINGS = ["--model-complexity", "0", "--no-refine-face", "--no-smooth-landmarks",
            "--no-segmentation"]


def signprep(*args):
    return subprocess.run([SIGNPREP, *map(str, args)], capture_output=True, text=True)


def npz_of(out):
    with np.load(out / f"{CLIP.stem}.npz") as npz:
        return npz["X"], json.loads(str(npz["meta"]))


class HolisticSettings(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = Path(cls.tmp.name)
        cls.default = signprep(CLIP, cls.dir / "default", "--write-keypoints", "--target-fps", 5)
        cls.changed = signprep(CLIP, cls.dir / "changed", "--write-keypoints", "--target-fps", 5,
                               *SETTINGS)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_both_runs_succeed(self):
        self.assertEqual(self.default.returncode, 0, self.default.stderr)
        self.assertEqual(self.changed.returncode, 0, self.changed.stderr)

    def test_meta_records_what_differs_from_the_python_tool(self):
        _, default_meta = npz_of(self.dir / "default")
        _, changed_meta = npz_of(self.dir / "changed")
        for key in ("model_complexity", "refine_face", "smooth_landmarks", "segmentation"):
            self.assertNotIn(key, default_meta)
        self.assertEqual([changed_meta[k] for k in ("model_complexity", "refine_face",
                                                    "smooth_landmarks", "segmentation")],
                         [0, False, False, False])
        report = json.loads((self.dir / "changed" / "run_report.json").read_text())["options"]
        self.assertEqual([report[k] for k in ("model_complexity", "refine_face",
                                              "smooth_landmarks", "segmentation")],
                         [0, False, False, False])

    def test_the_keypoints_change(self):
        default_x, _ = npz_of(self.dir / "default")
        changed_x, _ = npz_of(self.dir / "changed")
        self.assertEqual(default_x.shape, changed_x.shape)
        self.assertFalse(np.array_equal(default_x, changed_x))

    def test_resume_redoes_clips_made_with_other_settings(self):
        out = self.dir / "resumed"
        first = signprep(CLIP, out, "--write-keypoints", "--target-fps", 5, *SETTINGS)
        self.assertEqual(first.returncode, 0, first.stderr)
        again = signprep(CLIP, out, "--write-keypoints", "--target-fps", 5, *SETTINGS, "--resume")
        self.assertEqual(again.returncode, 0, again.stderr)
        videos = json.loads((out / "run_report.json").read_text())["videos"]
        self.assertTrue(videos[0]["resumed"])
        redone = signprep(CLIP, out, "--write-keypoints", "--target-fps", 5, "--resume")
        self.assertEqual(redone.returncode, 0, redone.stderr)
        videos = json.loads((out / "run_report.json").read_text())["videos"]
        self.assertFalse(videos[0]["resumed"])
        x, meta = npz_of(out)
        self.assertNotIn("model_complexity", meta)
        self.assertTrue(np.array_equal(x, npz_of(self.dir / "default")[0]))

    def test_a_complexity_out_of_range_is_refused(self):
        result = signprep(CLIP, self.dir / "refused", "--write-keypoints", "--model-complexity", 3)
        self.assertEqual(result.returncode, 2)
        self.assertIn("--model-complexity", result.stderr)
        self.assertFalse((self.dir / "refused").exists())

    def test_landmarks_without_refinement_gives_468_face_points(self):
        out = self.dir / "landmarks.npz"
        result = signprep("landmarks", CLIP, "--out", out, "--target-fps", 5, "--no-refine-face")
        self.assertEqual(result.returncode, 0, result.stderr)
        with np.load(out) as npz:
            self.assertEqual(npz["face"].shape[1:], (468, 3))
            self.assertTrue(npz["face_present"].any())


if __name__ == "__main__":
    unittest.main()
