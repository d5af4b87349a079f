"""`signprep render`: contact sheets and .mp4 overlays of a clip's keypoints.

A keypoint run of a bundled sample gives a real .npz; the contact sheet's
pixels are read back with OpenCV (an independent PNG decoder) and the face
points must sit where X puts them; the .mp4 is counted and timed by
ffprobe. Hand-made .npz files in the Python tool's format (no signprep meta)
cover T=1, missing hands, a video that is not the clip's, and bad input."""
import json
import os
import subprocess
import tempfile
import unittest
from pathlib import Path

import cv2
import numpy as np

SIGNPREP = os.environ["SIGNPREP"]
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "wave_webcam_540x720p30.mp4"
FACE_BEGIN = 67
FACE_RGB = (255, 77, 191)  # render/overlay.cpp: face points, magenta (1.0, 0.3, 0.75)


def signprep(*args):
    return subprocess.run([SIGNPREP, *map(str, args)], capture_output=True, text=True)


def ffprobe(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-show_entries",
                          "stream=nb_read_frames,codec_name,width,height:format=duration",
                          "-of", "json", str(path)], capture_output=True, text=True, check=True)
    info = json.loads(out.stdout)
    return info["streams"][0], float(info["format"]["duration"])


def python_tool_npz(path, timestamps, pose_xy=(0.5, 0.4)):
    """The Python tool's members, meta without signprep's keys, hands missing."""
    frames = len(timestamps)
    x = np.zeros((frames, 156), np.float32)
    mask = np.zeros((frames, 78), bool)
    x[:, 0:50] = np.tile(pose_xy, 25)  # pose points, all at one place
    mask[:, 0:25] = True
    meta = json.dumps({"video": "clip.mp4", "target_fps": 15, "out_size": 256})
    np.savez_compressed(path, X=x, mask=mask, timestamps_ms=np.array(timestamps, np.int64),
                        meta=np.array(meta))


class RealClip(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = Path(cls.tmp.name)
        run = signprep(SAMPLE, cls.dir / "out", "--write-keypoints", "--target-fps", "10",
                       "--quiet", "--disable-parquet")
        assert run.returncode == 0, run.stderr
        cls.npz = cls.dir / "out" / "wave_webcam_540x720p30.npz"
        with np.load(cls.npz) as npz:
            cls.x, cls.mask, cls.times = npz["X"], npz["mask"], npz["timestamps_ms"]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_contact_sheet_puts_the_face_points_where_x_says(self):
        sheet = self.dir / "sheet.png"
        result = signprep("render", self.npz, "--video", SAMPLE, "-o", sheet, "--frames", "8")
        self.assertEqual(result.returncode, 0, result.stderr)
        image = cv2.imread(str(sheet))[:, :, ::-1]  # RGB
        # 8 tiles: 4 columns of 400 px, the 540x720 frame's shape, 2 rows.
        self.assertEqual(image.shape, (2 * 533, 1600, 3))
        frames = len(self.times)
        indices = [(i * (frames - 1) + 3) // 7 for i in range(8)]
        checked = 0
        for tile, t in enumerate(indices):
            left, top = tile % 4 * 400, tile // 4 * 533
            for k in range(FACE_BEGIN, 78):
                if not self.mask[t, k]:
                    continue
                px = int(round(left + self.x[t, 2 * k] * 396 - 0.5))
                py = int(round(top + self.x[t, 2 * k + 1] * 529 - 0.5))
                # The dot's centre pixel is covered: the face colour, to the level.
                np.testing.assert_allclose(image[py, px], FACE_RGB, atol=2,
                                           err_msg=f"tile {tile}, point {k}")
                checked += 1
        self.assertGreater(checked, 40)

    def test_mp4_has_every_frame_at_its_time(self):
        video = self.dir / "clip.mp4"
        result = signprep("render", self.npz, "--video", SAMPLE, "-o", video)
        self.assertEqual(result.returncode, 0, result.stderr)
        stream, duration = ffprobe(video)
        self.assertEqual(stream["codec_name"], "h264")
        self.assertEqual((stream["width"], stream["height"]), (540, 720))
        self.assertEqual(int(stream["nb_read_frames"]), len(self.times))
        # Each frame shows until the next; the last for one sampling interval (100 ms).
        self.assertAlmostEqual(duration, (self.times[-1] + 100) / 1000, delta=0.002)

    def test_without_video_the_background_has_the_clips_shape(self):
        sheet = self.dir / "plain.png"
        result = signprep("render", self.npz, "-o", sheet, "--frames", "4")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(cv2.imread(str(sheet)).shape, (533, 1600, 3))  # the meta's 540x720


class HandMadeFiles(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def test_one_frame_without_hands_or_size_renders_square_with_a_warning(self):
        npz = self.dir / "one.npz"
        python_tool_npz(npz, [0])
        for name in ("one.png", "one.mp4"):
            result = signprep("render", npz, "-o", self.dir / name)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn("drawn square", result.stderr)
        # One tile, as wide as any sheet.
        self.assertEqual(cv2.imread(str(self.dir / "one.png")).shape, (1600, 1600, 3))
        stream, duration = ffprobe(self.dir / "one.mp4")
        self.assertEqual(int(stream["nb_read_frames"]), 1)
        self.assertEqual(stream["width"], stream["height"])

    def test_a_video_that_is_not_the_clips_is_refused(self):
        npz = self.dir / "long.npz"
        python_tool_npz(npz, [0, 5000, 10000])  # 10 s of keypoints; the sample lasts 2
        result = signprep("render", npz, "--video", SAMPLE, "-o", self.dir / "x.png")
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertIn("has no frame near 5000 ms", result.stderr)
        self.assertEqual(list(self.dir.iterdir()), [npz])  # nothing half-written

    def test_bad_requests_are_clear_errors(self):
        npz = self.dir / "features.npz"
        np.savez(npz, X2048=np.zeros((2, 2048), np.float32),
                 timestamps_ms=np.array([0, 66], np.int64))
        no_keypoints = signprep("render", npz, "-o", self.dir / "a.png")
        self.assertEqual(no_keypoints.returncode, 3)
        self.assertIn("no keypoints to draw", no_keypoints.stderr)
        wrong_output = signprep("render", npz, "-o", self.dir / "a.gif")
        self.assertEqual(wrong_output.returncode, 2)
        self.assertIn(".mp4 (video) or a .png", wrong_output.stderr)
        # Issue 21: a sheet of a million tiles is refused, not attempted.
        huge_sheet = signprep("render", npz, "-o", self.dir / "a.png", "--frames", "1000000")
        self.assertEqual(huge_sheet.returncode, 2)
        self.assertIn("--frames must be between 1 and 100", huge_sheet.stderr)
        missing = signprep("render", self.dir / "none.npz", "-o", self.dir / "a.png")
        self.assertEqual(missing.returncode, 3)
        self.assertIn("none.npz", missing.stderr)
        torn = self.dir / "torn.npz"
        python_tool_npz(torn, [0, 66])
        torn.write_bytes(torn.read_bytes()[:200])
        self.assertEqual(signprep("render", torn, "-o", self.dir / "a.png").returncode, 3)


if __name__ == "__main__":
    unittest.main()
