"""The signprep command line: flags, validation messages and exit codes."""
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import video_fixtures  # noqa: E402
from unprivileged import NOBODY, reachable_signprep  # noqa: E402

SIGNPREP = os.environ["SIGNPREP"]
ORIGINAL_FLAGS = ["--write-keypoints", "--write-iv3-features", "--feature-key", "--workers",
                  "--batch-size", "--target-fps", "--disable-parquet", "--out-size",
                  "--conf-thresh", "--max-gap", "--id", "--gloss-id", "--cat-id", "--labels-csv",
                  "--append", "--occ-enable", "--occ-vis-thresh", "--occ-frame-prop",
                  "--occ-min-run"]


def signprep(*args):
    return subprocess.run([SIGNPREP, *map(str, args)], capture_output=True, text=True)


class CommandLine(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = Path(cls.tmp.name)
        cls.sample = video_fixtures.SAMPLE

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def assert_fails(self, result, code, *phrases):
        self.assertEqual(result.returncode, code, result.stderr)
        for phrase in phrases:
            self.assertIn(phrase, result.stderr)
        self.assertTrue(result.stderr.startswith("signprep: error: "), result.stderr)

    def test_help_lists_every_flag_of_the_original_with_defaults(self):
        result = signprep("--help")
        self.assertEqual(result.returncode, 0)
        for flag in ORIGINAL_FLAGS:
            self.assertIn(flag, result.stdout)
        for default in ["default 15", "default 32", "default 256", "default 0.5", "default 5",
                        "default 0.6", "default 0.4", "default X2048"]:
            self.assertIn(default, result.stdout)

    def test_missing_arguments(self):
        self.assert_fails(signprep(), 2, "expected VIDEO_OR_DIR and OUT_DIR")

    def test_invalid_values_are_named(self):
        out = self.dir / "out"
        cases = [
            (["--target-fps", "-3"], "--target-fps must be > 0"),
            (["--target-fps", "0"], "--target-fps must be > 0"),
            (["--target-fps", "fast"], "--target-fps: 'fast' is not a number"),
            (["--sampling", "opencv"], "--sampling: 'opencv' is not a rule (on-slot or python)"),
            (["--workers", "0"], "--workers must be between 1 and 1024"),
            (["--batch-size", "0"], "--batch-size must be between 1 and 4096"),
            (["--max-gap", "-1"], "--max-gap must be between 0 and 100000"),
            # Issue 21: sizes and counts far beyond any use are refused before
            # any work (--out-size 100000 made every worker die of bad_alloc).
            (["--out-size", "100000"], "--out-size must be between 16 and 4096"),
            (["--workers", "100000"], "--workers must be between 1 and 1024"),
            (["--batch-size", "100000"], "--batch-size must be between 1 and 4096"),
            (["--max-gap", "1000000"], "--max-gap must be between 0 and 100000"),
            (["--occ-min-run", "1000000"], "--occ-min-run must be between 1 and 100000"),
            (["--stall-timeout", "1e9"], "--stall-timeout must be between 0 and 604800"),
            # Timestamps are whole milliseconds.
            (["--target-fps", "1001"], "--target-fps must be > 0 and <= 1000"),
            # No float flag takes a value JSON cannot hold.
            (["--target-fps", "inf"], "--target-fps: 'inf' is not a finite number"),
            (["--target-fps", "nan"], "--target-fps: 'nan' is not a finite number"),
            (["--conf-thresh", "-inf"], "--conf-thresh: '-inf' is not a finite number"),
            (["--stall-timeout", "infinity"], "is not a finite number"),
            (["--conf-thresh", "1.5"], "--conf-thresh must be in [0, 1]"),
            (["--id", "3.5"], "--id: '3.5' is not an integer"),
            (["--feature-key", "mask"], "--feature-key mask would overwrite"),
            (["--bogus"], "unknown option --bogus"),
            (["--workers"], "--workers needs a value"),
        ]
        for flags, message in cases:
            with self.subTest(flags):
                self.assert_fails(signprep(self.sample, out, "--write-keypoints", *flags), 2,
                                  message)

    def test_double_dash_ends_the_options(self):
        # "-x.mp4" after "--" is an input, not an option.
        self.assert_fails(signprep("--write-keypoints", "--", "-x.mp4", self.dir / "out"), 3,
                          "-x.mp4: no such file or directory")

    def test_output_paths_are_checked_before_any_work(self):
        labels_dir = self.dir / "labels_dir"
        labels_dir.mkdir(exist_ok=True)
        out = self.dir / "out_labels_dir"
        result = signprep(self.sample, out, "--write-keypoints", "--id", "1",
                          "--labels-csv", labels_dir)
        self.assert_fails(result, 6, f"cannot write {labels_dir}: it is a directory")
        self.assertFalse(out.exists())  # refused before the models loaded or OUT was made
        self.assert_fails(signprep(self.sample, out, "--write-keypoints", "--id", "1",
                                   "--labels-csv", self.dir / "no_such_dir" / "l.csv"), 6,
                          "no_such_dir does not exist")
        # OUT spelled with a trailing slash is the folder of the default labels
        # file, made by the run: the check passes, and the missing models stop it.
        no_models = self.dir / "no_models_for_out"
        no_models.mkdir(exist_ok=True)
        self.assert_fails(signprep(self.sample, f"{self.dir / 'new_out'}/", "--write-keypoints",
                                   "--id", "1", "--models-dir", no_models), 5, ".tflite")
        out_file = self.dir / "out_is_a_file"
        out_file.write_text("x")
        self.assert_fails(signprep(self.sample, out_file, "--write-keypoints"), 6,
                          f"{out_file} is not a directory")

    def test_unreadable_input_directory_is_permission_denied(self):
        shared = self.dir / "shared"
        shared.mkdir(mode=0o777, exist_ok=True)
        shared.chmod(0o777)
        self.dir.chmod(0o755)
        locked = shared / "locked"
        locked.mkdir(exist_ok=True)
        (locked / "clip.mp4").write_text("x")
        locked.chmod(0)
        try:
            # root reads any directory: drop to nobody for the run, with a
            # copy of the program that nobody can reach.
            root = os.geteuid() == 0
            user = {"user": NOBODY, "group": NOBODY} if root else {}
            program = reachable_signprep(SIGNPREP, self.dir / "program")[0] if root else SIGNPREP
            result = subprocess.run([program, locked, shared / "out", "--write-keypoints"],
                                    capture_output=True, text=True, **user)
        finally:
            locked.chmod(0o755)
        self.assert_fails(result, 3, f"cannot list {locked}: Permission denied")

    def test_equals_form_is_accepted(self):
        self.assert_fails(signprep(self.sample, self.dir / "o", "--write-keypoints",
                                   "--target-fps=-1"), 2, "--target-fps must be > 0")

    def test_missing_input(self):
        self.assert_fails(signprep(self.dir / "nope", self.dir / "out", "--write-keypoints"), 3,
                          "nope: no such file or directory")

    def test_directory_without_videos(self):
        empty = self.dir / "no_videos"
        empty.mkdir()
        (empty / "notes.txt").write_text("x")
        self.assert_fails(signprep(empty, self.dir / "out", "--write-keypoints"), 3,
                          "no videos (.mp4 .mov .avi .mkv .webm) found under")

    def test_unwritable_output_directory(self):
        blocker = self.dir / "a_file"
        blocker.write_text("x")
        self.assert_fails(signprep(self.sample, blocker / "out", "--write-keypoints"), 6,
                          "cannot create", str(blocker / "out"))

    def test_nothing_requested(self):
        self.assert_fails(signprep(self.sample, self.dir / "out"), 2, "nothing to do")

    def test_missing_models_fail_before_any_clip_and_write_nothing(self):
        empty = self.dir / "no_models"
        empty.mkdir(exist_ok=True)
        out = self.dir / "out_no_models"
        self.assert_fails(signprep(self.sample, out, "--write-keypoints", "--models-dir", empty), 5,
                          str(empty), ".tflite")
        self.assertEqual(list(out.iterdir()) if out.exists() else [], [])

    def test_probe_help_and_usage(self):
        self.assertEqual(signprep("probe", "--help").returncode, 0)
        self.assert_fails(signprep("probe"), 2, "no video given")
        self.assert_fails(signprep("probe", "--target-fps", "-2", self.sample), 2,
                          "--target-fps must be > 0")
        self.assert_fails(signprep("probe", "--target-fps", "inf", self.sample), 2,
                          "is not a finite number")
        self.assert_fails(signprep("probe", "--target-fps", "5000", self.sample), 2,
                          "--target-fps must be > 0 and <= 1000")


if __name__ == "__main__":
    unittest.main()
