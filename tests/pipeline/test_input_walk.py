"""Which inputs a run walks (issue 21, items 3 and 10): OUT inside the input
folder and the folders of earlier runs are not input; a subfolder that cannot
be read is a failure the summary, run_report.json and the exit code show;
symlinked folders are followed, a link loop walked once."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from unprivileged import NOBODY, reachable_signprep  # noqa: E402

SIGNPREP = os.environ["SIGNPREP"]
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "numbers_20_90_144p12.mp4"
FAST = ["--write-keypoints", "--target-fps", "2", "--workers", "1"]


def signprep(*args, user=None, program=SIGNPREP, env=None):
    # setpriv runs signprep as another user, for whom permissions hold even when
    # the test runs as root.
    prefix = ([shutil.which("setpriv"), f"--reuid={user}", f"--regid={user}", "--clear-groups"]
              if user is not None else [])
    return subprocess.run([*prefix, program, *map(str, args)], capture_output=True, text=True,
                          env=env)


def place(root, *names):
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLE, root / name)


def report_inputs(out):
    with open(out / "run_report.json") as f:
        report = json.load(f)
    return {v["input"]: v for v in report["videos"]}, report["counts"]


class InputWalk(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)

    def tearDown(self):
        for path in self.dir.rglob("*"):  # whatever a test locked, for cleanup
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        self.tmp.cleanup()

    def test_out_inside_the_input_is_not_input_on_a_later_run(self):
        data = self.dir / "data"
        place(data, "a.mp4")
        out = data / "out"
        first = signprep(data, out, *FAST)
        self.assertEqual(first.returncode, 0, first.stderr)
        place(out, "stray.mp4")  # a video that ended up in OUT
        # An earlier run into another folder inside the input, known by its report.
        earlier = signprep(SAMPLE, data / "earlier", *FAST)
        self.assertEqual(earlier.returncode, 0, earlier.stderr)
        place(data / "earlier", "copy.mp4")
        second = signprep(data, out, *FAST)
        self.assertEqual(second.returncode, 0, second.stderr)
        self.assertFalse((out / "out").exists())
        self.assertFalse((out / "earlier").exists())
        videos, counts = report_inputs(out)
        self.assertEqual(list(videos), ["a.mp4"])
        self.assertEqual(counts, {"total": 1, "ok": 1, "failed": 0, "pending": 0})

    def test_an_unreadable_subfolder_is_a_failure(self):
        if os.geteuid() == 0 and shutil.which("setpriv") is None:
            self.skipTest("root reads any folder, and setpriv is not there to give root up")
        user = NOBODY if os.geteuid() == 0 else None
        data = self.dir / "data"
        place(data, "a.mp4", "open/b.mp4", "locked/c.mp4")
        out = self.dir / "out"
        out.mkdir()
        program, env = SIGNPREP, None
        if user is not None:
            os.chown(out, user, user)
            self.dir.chmod(0o755)
            program, env = reachable_signprep(SIGNPREP, self.dir / "program", models=True)
        (data / "locked").chmod(0)
        result = signprep(data, out, *FAST, user=user, program=program, env=env)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("2 of 3 videos written", result.stderr)
        self.assertIn("failed:            1", result.stderr)
        self.assertIn(f"failed videos:\n  locked: cannot list the directory {data / 'locked'} "
                      "(Permission denied): the videos in it were not processed", result.stderr)
        videos, counts = report_inputs(out)
        self.assertEqual(counts, {"total": 3, "ok": 2, "failed": 1, "pending": 0})
        self.assertEqual(videos["locked"]["status"], "failed")
        self.assertIn("Permission denied", videos["locked"]["error"])

        # With nothing else to process, nothing ran: exit 3, naming the folder.
        shutil.rmtree(data / "open")
        (data / "a.mp4").unlink()
        result = signprep(data, out, *FAST, user=user, program=program, env=env)
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertIn(f"no videos (.mp4 .mov .avi .mkv .webm) found under {data} (cannot list: "
                      f"{data / 'locked'} (Permission denied))", result.stderr)

    def test_symlinked_folders_are_followed_and_a_loop_walked_once(self):
        data = self.dir / "data"
        place(data, "a/x.mp4")
        place(self.dir / "elsewhere", "y.mp4")
        (data / "linked").symlink_to(self.dir / "elsewhere", target_is_directory=True)
        (data / "a" / "loop").symlink_to(data, target_is_directory=True)
        out = self.dir / "out"
        result = signprep(data, out, *FAST)
        self.assertEqual(result.returncode, 0, result.stderr)
        videos, _ = report_inputs(out)
        self.assertEqual(list(videos), ["a/x.mp4", "linked/y.mp4"])
        self.assertTrue((out / "linked" / "y.npz").is_file())


if __name__ == "__main__":
    unittest.main()
