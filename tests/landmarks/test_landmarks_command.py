"""`signprep landmarks` against MediaPipe's own Holistic (golden files made by
shared/reference/holistic_js, copied to tests/data/golden/holistic/), on the
three clips in samples/ and two derived from them (tests/data/videos/), with
issues 4, 5 and 22's bounds (compare_golden.py); plus the command's own
errors."""
import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import compare_golden  # noqa: E402

sys.path.insert(0, str(HERE.parent))
import video_fixtures  # noqa: E402

SIGNPREP = os.environ["SIGNPREP"]
ROOT = HERE.parent.parent
GOLDEN = ROOT / "tests" / "data" / "golden" / "holistic"
GOLDEN_SHIFTED = ROOT / "tests" / "data" / "golden" / "holistic_shifted"
DERIVED_VIDEOS = ROOT / "tests" / "data" / "videos"
CLIPS = ["wave_webcam_540x720p30", "webcam_man_480p15", "numbers_20_90_144p12"]


def signprep(*args):
    return subprocess.run([SIGNPREP, *map(str, args)], capture_output=True, text=True)


class AgainstMediaPipe(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = Path(cls.tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def check_clip(self, clip, videos=ROOT / "samples"):
        out = self.dir / f"{clip}.npz"
        # The golden files sample at 30 fps with the Python tool's rule and
        # track on 256x256 frames.
        result = signprep("landmarks", videos / f"{clip}.mp4", "--out", out,
                          "--target-fps", 30, "--sampling", "python", "--out-size", 256)
        self.assertEqual(result.returncode, 0, result.stderr)
        ours = np.load(out)
        self.assertEqual(ours["pose"].dtype, np.float32)
        self.assertEqual(ours["pose"].shape[1:], (33, 4))
        self.assertEqual(ours["pose_present"].dtype, np.bool_)
        self.assertEqual(ours["timestamps_ms"].dtype, np.int64)
        self.assertEqual(ours["face"].shape[1:], (478, 3))
        self.assertEqual(ours["face_present"].dtype, np.bool_)
        for side in ("left_hand", "right_hand"):
            self.assertEqual(ours[side].shape[1:], (21, 3))
            self.assertEqual(ours[side + "_present"].dtype, np.bool_)
        figures = compare_golden.compare(out, GOLDEN / f"{clip}.npz")
        print(clip, figures, file=sys.stderr)
        self.assertEqual(compare_golden.failures(figures), [], figures)

    def test_wave_webcam(self):
        self.check_clip(CLIPS[0])

    # Known gap (issue 5 stays open): from frame 63, where the hands cross,
    # signprep's right wrist/pinky/index pose landmarks drift from
    # MediaPipe's, so the right hand is found in 96% of the same frames (not
    # 97%) with p95 0.047. Pose, face and left hand pass. Remove the marker
    # when fixed: an unexpected success fails the run.
    @unittest.expectedFailure
    def test_webcam_man(self):
        self.check_clip(CLIPS[1])

    def test_numbers(self):
        self.check_clip(CLIPS[2])

    def test_phone_clip_stored_sideways_in_10_bits(self):
        # Before the decoder rotated the planes ahead of the colour
        # conversion, its frames differed from the reference's by up to 52
        # levels and this clip failed: pose p95 0.031, right hand found in 5
        # frames apart (91.4%), median 0.0052.
        self.check_clip("wave_hevc10_rot90_540x720", DERIVED_VIDEOS)

    def test_small_signer_parts_from_mediapipe_no_more_than_either_spread(self):
        # The person a third of a tall frame's height: every block fails the
        # fixed bounds, and the left hand is found in 3 frames apart where
        # signprep's own spread is 1; MediaPipe's own runs with the frame
        # moved 0.001 pixel part by as much (left hand 3 frames, pose p95
        # 0.029 against 0.033). Issue 22's criterion: within the bounds or
        # twice the larger of both spreads.
        clip = "wave_portrait_1080x1920"
        runs = {}
        for shift in (0, 0.001, -0.001):
            runs[shift] = self.dir / f"{clip}_{shift}.npz"
            result = signprep("landmarks", DERIVED_VIDEOS / f"{clip}.mp4", "--out", runs[shift],
                              "--target-fps", 30, "--perturb-crops", shift)
            self.assertEqual(result.returncode, 0, result.stderr)
        golden = compare_golden.compare(runs[0], GOLDEN / f"{clip}.npz")
        spreads = [compare_golden.compare(runs[0], runs[s]) for s in (0.001, -0.001)]
        spreads += [compare_golden.compare(GOLDEN / f"{clip}.npz", GOLDEN_SHIFTED / d / f"{clip}.npz")
                    for d in ("plus_0.001", "minus_0.001")]
        self.assertEqual(compare_golden.failures_beyond_spread(golden, spreads), [],
                         (golden, spreads))

    def test_webcam_man_parts_from_mediapipe_no_more_than_from_itself(self):
        # What explains the known gap above: moving every crop 0.001 pixel
        # moves signprep's own tracks as far as they are from MediaPipe's.
        # The test asks whether the difference to MediaPipe is within the
        # issues' bounds or of that size, within a factor 2
        # (compare_golden.failures_beyond_spread; two perturbed runs sample
        # the sensitivity; measured: right hand p95 0.0475 against 0.0470, 4
        # frames of differing presence against 3); a logic error would part
        # by far more.
        clip = CLIPS[1]
        runs = {}
        for shift in (0, 0.001, -0.001):
            runs[shift] = self.dir / f"{clip}_{shift}.npz"
            result = signprep("landmarks", ROOT / "samples" / f"{clip}.mp4", "--out", runs[shift],
                              "--target-fps", 30, "--perturb-crops", shift)
            self.assertEqual(result.returncode, 0, result.stderr)
        golden = compare_golden.compare(runs[0], GOLDEN / f"{clip}.npz")
        spreads = [compare_golden.compare(runs[0], runs[s]) for s in (0.001, -0.001)]
        self.assertEqual(compare_golden.failures_beyond_spread(golden, spreads), [],
                         (golden, spreads))


class ShortRun(unittest.TestCase):
    """Every tracker on a few frames: what the sanitizer build runs in place
    of the whole-clip comparisons (scripts/test)."""

    def test_every_block_of_a_short_run(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "x.npz"
            # numbers_20_90_144p12 shows one hand (the person's right) all along.
            result = signprep("landmarks", ROOT / "samples" / "numbers_20_90_144p12.mp4",
                              "--out", out, "--target-fps", 2)
            self.assertEqual(result.returncode, 0, result.stderr)
            with np.load(out) as ours:
                self.assertEqual(len(ours["timestamps_ms"]), 29)
                for block in ("pose", "face", "right_hand"):
                    self.assertTrue(ours[block + "_present"].all(), block)
                    self.assertTrue(np.isfinite(ours[block]).all(), block)
                self.assertFalse(ours["left_hand_present"].any())
                self.assertTrue(np.isnan(ours["left_hand"]).all())


class PerturbedCrops(unittest.TestCase):
    def test_a_thousandth_of_a_pixel_moves_a_stable_clip_a_little(self):
        # numbers_20_90_144p12 tracks steadily: crops moved 0.001 pixel move
        # the landmarks (the option reaches the trackers), and by less than a
        # pixel of the 256x256 frame (its hand, sampled 500 ms apart, by up
        # to 0.0013).
        with tempfile.TemporaryDirectory() as tmp:
            runs = {}
            for shift in (0, 0.001):
                runs[shift] = Path(tmp) / f"{shift}.npz"
                result = signprep("landmarks", ROOT / "samples" / "numbers_20_90_144p12.mp4",
                                  "--out", runs[shift], "--target-fps", 2,
                                  "--perturb-crops", shift)
                self.assertEqual(result.returncode, 0, result.stderr)
            with np.load(runs[0]) as a, np.load(runs[0.001]) as b:
                for block in ("pose", "face", "right_hand"):
                    self.assertTrue((a[block + "_present"] == b[block + "_present"]).all(), block)
                    d = np.nanmax(np.abs(a[block][..., :2] - b[block][..., :2]))
                    self.assertGreater(d, 0, block)
                    self.assertLess(d, 1 / 256, block)

    def test_more_than_a_pixel_is_refused(self):
        result = signprep("landmarks", ROOT / "samples" / "numbers_20_90_144p12.mp4",
                          "--out", "x.npz", "--perturb-crops", 2)
        self.assertEqual(result.returncode, 2)
        self.assertIn("--perturb-crops must be between -1 and 1 pixel", result.stderr)


class Sampling(unittest.TestCase):
    def test_default_is_the_python_tools_rule_as_in_the_reference_runs(self):
        with tempfile.TemporaryDirectory() as tmp:
            video, out = Path(tmp) / "fps50.mp4", Path(tmp) / "x.npz"
            video_fixtures.ffmpeg("-i", video_fixtures.SAMPLE, "-an",
                                  *video_fixtures.GOOD["fps50.mp4"], video)
            result = signprep("landmarks", video, "--out", out, "--target-fps", 30)
            self.assertEqual(result.returncode, 0, result.stderr)
            probes = {rule: json.loads(signprep("probe", "--json", "--target-fps", 30,
                                                "--sampling", rule, video).stdout)[0]
                      for rule in ("python", "on-slot")}
            self.assertNotEqual(probes["python"]["timestamps_ms"],
                                probes["on-slot"]["timestamps_ms"])
            with np.load(out) as ours:
                self.assertEqual(ours["timestamps_ms"].tolist(), probes["python"]["timestamps_ms"])


class Errors(unittest.TestCase):
    def test_out_is_required(self):
        result = signprep("landmarks", ROOT / "samples" / "wave_webcam_540x720p30.mp4")
        self.assertEqual(result.returncode, 2)
        self.assertIn("--out", result.stderr)

    def test_unreadable_video_is_an_input_error(self):
        with tempfile.TemporaryDirectory() as tmp:
            bad = Path(tmp) / "bad.mp4"
            bad.write_bytes(b"not a video")
            result = signprep("landmarks", bad, "--out", Path(tmp) / "x.npz")
            self.assertEqual(result.returncode, 3, result.stderr)  # nothing ran
            self.assertIn("bad.mp4", result.stderr)
            self.assertFalse((Path(tmp) / "x.npz").exists())

    def test_missing_models_are_a_model_error(self):
        with tempfile.TemporaryDirectory() as tmp:
            result = signprep("landmarks", ROOT / "samples" / "wave_webcam_540x720p30.mp4",
                              "--out", Path(tmp) / "x.npz", "--models-dir", tmp)
            self.assertEqual(result.returncode, 5, result.stderr)
            self.assertIn(".tflite", result.stderr)
            self.assertIn(tmp, result.stderr)


if __name__ == "__main__":
    unittest.main()
