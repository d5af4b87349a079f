"""A run's output layout, --flat clashes, OUT/run_report.json, progress,
summary and exit codes (issue 7, items 2 to 4), on short keypoint runs over
copies of one sample in nested folders, and a corrupt video."""
import csv
import json
import os
import pty
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

import numpy as np

SIGNPREP = os.environ["SIGNPREP"]
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "numbers_20_90_144p12.mp4"
FAST = ["--write-keypoints", "--target-fps", "2"]
FRAMES = 29  # kept frames of the sample at 2 fps


def signprep(*args):
    return subprocess.run([SIGNPREP, *map(str, args)], capture_output=True, text=True)


def make_input(root, names, bad=()):
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLE, root / name)
    for name in bad:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"not a video")
    return root


class NestedRun(unittest.TestCase):
    """IN/a/x.mp4, IN/b/x.mp4 (same name, two folders) and IN/bad.mp4."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = Path(cls.tmp.name)
        cls.input = make_input(cls.dir / "in", ["a/x.mp4", "b/x.mp4"], bad=["bad.mp4"])
        cls.out = cls.dir / "out"
        # Captured stderr is not a terminal: plain progress lines.
        cls.result = signprep(cls.input, cls.out, *FAST, "--id", "4")
        with open(cls.out / "run_report.json") as f:
            cls.report = json.load(f)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_some_failed_exits_1(self):
        self.assertEqual(self.result.returncode, 1, self.result.stderr)

    def test_outputs_keep_the_inputs_folders(self):
        files = sorted(str(p.relative_to(self.out)) for p in self.out.rglob("*") if p.is_file())
        self.assertEqual(files, ["a/x.npz", "a/x.parquet", "b/x.npz", "b/x.parquet",
                                 "labels.csv", "run_report.json"])
        for npz in ("a/x.npz", "b/x.npz"):
            with np.load(self.out / npz) as data:
                self.assertEqual(data["X"].shape, (FRAMES, 156))

    def test_labels_name_the_relative_paths(self):
        with open(self.out / "labels.csv", newline="") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual([r["file"] for r in rows], ["a/x.npz", "b/x.npz"])
        self.assertEqual({r["gloss"] for r in rows}, {"4"})

    def test_report_has_every_video(self):
        report = self.report
        self.assertEqual(report["tool"], "signprep")
        self.assertRegex(report["version"], r"^\d+\.\d+")
        self.assertRegex(report["started"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertIsNotNone(report["finished"])
        self.assertEqual(report["options"]["target_fps"], 2)
        self.assertEqual(report["options"]["sampling"], "on-slot")
        self.assertTrue(report["options"]["write_keypoints"])
        self.assertEqual(report["counts"], {"total": 3, "ok": 2, "failed": 1, "pending": 0})
        videos = {v["input"]: v for v in report["videos"]}
        self.assertEqual(list(videos), ["a/x.mp4", "b/x.mp4", "bad.mp4"])
        for name in ("a", "b"):
            video = videos[f"{name}/x.mp4"]
            self.assertEqual((video["status"], video["frames"], video["error"]), ("ok", FRAMES, None))
            self.assertEqual(video["outputs"], [f"{name}/x.npz", f"{name}/x.parquet"])
            self.assertGreater(video["seconds"], 0)
        bad = videos["bad.mp4"]
        self.assertEqual((bad["status"], bad["frames"], bad["outputs"]), ("failed", 0, []))
        self.assertIn("cannot open as a video", bad["error"])

    def test_summary_and_failures(self):
        err = self.result.stderr
        self.assertIn("2 of 3 videos written", err)
        for line in ("successful:        2", "failed:            1", "total time:",
                     "average per video:", "videos per hour:"):
            self.assertIn(line, err)
        self.assertIn("failed videos:\n  bad.mp4: ", err)

    def test_plain_progress_lines_off_a_terminal(self):
        lines = [l for l in self.result.stderr.splitlines() if l.startswith("signprep: progress: ")]
        self.assertTrue(lines, self.result.stderr)
        self.assertIn("3/3 videos", lines[-1])
        self.assertIn("1 failed", lines[-1])
        self.assertNotIn("\r", self.result.stderr)

    def test_flat_refuses_listing_the_clash(self):
        out = self.dir / "flat"
        result = signprep(self.input, out, *FAST, "--flat")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("--flat", result.stderr)
        self.assertIn("a/x.mp4, b/x.mp4 -> x.npz", result.stderr)
        self.assertFalse(out.exists())


class SmallRuns(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def test_nothing_processed_exits_3_and_quiet_keeps_errors_and_summary(self):
        make_input(self.dir / "in", [], bad=["one.mp4", "two.mp4"])
        out = self.dir / "out"
        result = signprep(self.dir / "in", out, *FAST, "--quiet")
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertNotIn("progress", result.stderr)
        self.assertEqual(result.stderr.count("signprep: failed: "), 2)
        self.assertIn("0 of 2 videos written", result.stderr)
        with open(out / "run_report.json") as f:
            self.assertEqual(json.load(f)["counts"]["failed"], 2)

    def test_control_characters_in_names_are_escaped(self):
        # Issue 21: printed raw, this name would forge a line of the log and
        # clear the terminal.
        name = "bad\nsignprep: 1 of 1 videos written\x1b[2J.mp4"
        make_input(self.dir / "in", [], bad=[name])
        result = signprep(self.dir / "in", self.dir / "out", *FAST)
        self.assertEqual(result.returncode, 3, result.stderr)
        shown = "bad\\nsignprep: 1 of 1 videos written\\x1b[2J.mp4"
        self.assertIn(f"signprep: failed: {self.dir / 'in' / shown}: ", result.stderr)
        self.assertIn(f"failed videos:\n  {shown}: ", result.stderr)
        self.assertNotIn("\x1b", result.stderr)
        self.assertFalse([l for l in result.stderr.splitlines()
                          if l.startswith("signprep: 1 of 1")], result.stderr)

    def test_a_killed_run_leaves_a_readable_report(self):
        make_input(self.dir / "in", ["a.mp4", "b.mp4", "c.mp4"])
        out = self.dir / "out"
        process = subprocess.Popen([SIGNPREP, self.dir / "in", out, *FAST, "--quiet"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not (out / "run_report.json").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait()
        with open(out / "run_report.json") as f:
            report = json.load(f)
        self.assertIsNone(report["finished"])
        self.assertEqual([v["input"] for v in report["videos"]], ["a.mp4", "b.mp4", "c.mp4"])
        self.assertLessEqual({v["status"] for v in report["videos"]}, {"pending", "ok"})

    def test_ctrl_c_stops_cleanly_after_the_videos_done(self):
        make_input(self.dir / "in", ["a.mp4", "b.mp4", "c.mp4", "d.mp4"])
        out = self.dir / "out"
        # 10 fps: each clip takes a second or more, so the signal lands mid-run.
        process = subprocess.Popen([SIGNPREP, self.dir / "in", out, "--write-keypoints",
                                    "--target-fps", "10", "--id", "4", "--quiet"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

        def done():
            # While the run goes, each finished video is a line of the
            # journal; the last piece is empty, or a line still being written.
            try:
                lines = (out / "run_report.journal").read_text().split("\n")[1:-1]
            except OSError:
                return 0
            return sum(json.loads(line)["status"] == "ok" for line in lines)

        deadline = time.monotonic() + 300
        while done() < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        stderr = process.communicate(timeout=120)[1]
        self.assertEqual(process.returncode, 130, stderr)
        self.assertIn("stopped by a signal", stderr)
        self.assertIn("of 4 videos written", stderr)
        with open(out / "run_report.json") as f:
            report = json.load(f)
        ok = sorted(v["input"] for v in report["videos"] if v["status"] == "ok")
        self.assertGreaterEqual(len(ok), 1)
        self.assertLess(len(ok), 4, "the signal came after the last video")
        self.assertEqual({v["status"] for v in report["videos"]}, {"ok", "pending"})
        self.assertIsNotNone(report["finished"])
        # Whole files of the finished videos, their label rows, nothing else.
        expected = {"run_report.json", "labels.csv"}
        expected |= {Path(v).with_suffix(s).name for v in ok for s in (".npz", ".parquet")}
        self.assertEqual({p.name for p in out.iterdir()}, expected)
        for video in ok:
            with np.load(out / Path(video).with_suffix(".npz")) as npz:
                self.assertEqual(npz["X"].shape[1], 156)
        with open(out / "labels.csv", newline="") as f:
            self.assertEqual(sorted(r["file"] for r in csv.DictReader(f)),
                             [str(Path(v).with_suffix(".npz")) for v in ok])

    def test_single_file_on_a_terminal(self):
        # A single file input writes OUT/<name>.npz; a terminal gets a bar.
        video = make_input(self.dir / "in", ["deep/er/clip.mp4"]) / "deep/er/clip.mp4"
        out = self.dir / "out"
        controller, terminal = pty.openpty()
        process = subprocess.Popen([SIGNPREP, video, out, *FAST, "--disable-parquet"],
                                   stdout=subprocess.DEVNULL, stderr=terminal)
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal's last writer is gone
                break
            if not chunk:
                break
            shown += chunk
        os.close(controller)
        self.assertEqual(process.wait(), 0, shown)
        text = shown.decode()
        self.assertIn("\r[", text)
        self.assertIn("1/1 videos", text)
        self.assertIn("frames/s, ETA", text)
        self.assertNotIn("signprep: progress: ", text)
        self.assertIn("1 of 1 videos written", text)
        self.assertEqual(sorted(p.name for p in out.iterdir()), ["clip.npz", "run_report.json"])
        with open(out / "run_report.json") as f:
            self.assertEqual(json.load(f)["videos"][0]["outputs"], ["clip.npz"])


if __name__ == "__main__":
    unittest.main()
