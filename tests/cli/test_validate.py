"""`signprep validate OUT`: a real output directory passes; copies damaged in
one way each (with numpy and zipfile, as a researcher's script or a bad disk
would) are reported with the file, the problem and exit code 1."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import video_fixtures  # noqa: E402

SIGNPREP = os.environ["SIGNPREP"]
CLIP = "wave_webcam_540x720p30.npz"


def signprep(*args):
    return subprocess.run([SIGNPREP, *map(str, args)], capture_output=True, text=True)


def load_members(npz):
    with np.load(npz) as archive:
        return {name: archive[name] for name in archive.files}


def rewrite(npz, change):
    """Rewrites `npz` with numpy after change(members) edits the member dict."""
    members = load_members(npz)
    change(members)
    np.savez_compressed(npz, **members)


def replace_in_member(npz, member, old, new):
    """Edits one member's raw .npy bytes inside the zip, the others kept."""
    with zipfile.ZipFile(npz) as archive:
        contents = [(info.filename, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(npz, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents:
            if name == member:
                assert old in data, (old, name)
                data = data.replace(old, new)
            archive.writestr(name, data)


def add_text_entry(npz):
    with zipfile.ZipFile(npz, "a") as archive:
        archive.writestr("notes.txt", "not an array")


class Validate(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = Path(cls.tmp.name)
        cls.good = cls.dir / "good"
        result = signprep(video_fixtures.SAMPLE, cls.good, "--write-keypoints", "--gloss-id", 3)
        assert result.returncode == 0, result.stderr
        cls.frames = len(load_members(cls.good / CLIP)["timestamps_ms"])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def copy(self):
        """A fresh copy of the good output directory and its .npz."""
        out = Path(tempfile.mkdtemp(dir=self.dir))
        shutil.rmtree(out)
        shutil.copytree(self.good, out)
        return out, out / CLIP

    def assert_clean(self, out, *flags):
        result = signprep("validate", out, *flags)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("no problems", result.stdout)
        return result

    def assert_reported(self, out, file, *phrases, flags=()):
        result = signprep("validate", out, *flags)
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        lines = [line for line in result.stdout.splitlines() if line.startswith(f"{file}: ")]
        for phrase in phrases:
            self.assertTrue(any(phrase in line for line in lines),
                            f"no line '{file}: ...{phrase}...' in:\n{result.stdout}")
        self.assertRegex(result.stdout.splitlines()[-1], r"^checked .*: \d+ problems?$")
        return result

    def test_real_output_passes(self):
        result = self.assert_clean(self.good)
        self.assertEqual(result.stdout,
                         "checked 1 .npz file, 1 .parquet file and labels.csv (1 row): no problems\n")
        self.assert_clean(f"{self.good}/")

    def test_without_labels_only_the_npz_are_checked(self):
        out, _ = self.copy()
        (out / "labels.csv").unlink()
        self.assert_clean(out)

    def test_damaged_arrays(self):
        t = self.frames
        cases = {
            "wrong dtype": (lambda m: m.update(X=m["X"].astype(np.float64)),
                            ["X has dtype <f8, expected <f4"]),
            "X above 1": (lambda m: m["X"].__setitem__((2, 7), 1.5),
                          ["X has 1 values outside [0, 1] (first 1.5 at frame 2, column 7)"]),
            "X NaN": (lambda m: m["X"].__setitem__((0, 0), np.nan), ["X has 1 non-finite values"]),
            "T mismatch": (lambda m: m.update(mask=m["mask"][:-1]),
                           [f"mask has {t - 1} frames, timestamps_ms {t}"]),
            "wrong width": (lambda m: m.update(X=m["X"][:, :150]),
                            [f"X has shape ({t}, 150), expected (T, 156)"]),
            "no frames": (lambda m: m.update({k: m[k][:0] for k in ("X", "mask", "timestamps_ms")}),
                          ["holds no frames (T = 0)"]),
            "missing member": (lambda m: m.pop("timestamps_ms"), ["lacks member 'timestamps_ms'"]),
            "mask without X": (lambda m: m.pop("X"), ["lacks member 'X' (mask needs it)"]),
            "unknown member": (lambda m: m.update(extra=np.zeros(3)), ["unknown member 'extra'"]),
            "member order": (lambda m: m.update(X=m.pop("X")),
                             ["members in the order mask, timestamps_ms, meta, X, expected X, "
                              "mask, timestamps_ms, meta"]),
            "timestamps go back": (lambda m: m["timestamps_ms"].__setitem__(3, 100),
                                   ["timestamps_ms not strictly increasing at index 3 (100 after "
                                    "133)"]),
            "meta not JSON": (lambda m: m.update(meta=np.array('{"video": ')),
                              ["meta: invalid JSON"]),
            "meta key missing": (lambda m: m.update(meta=np.array('{"video": "a.mp4"}')),
                                 ["meta lacks target_fps, out_size"]),
            "meta as bytes": (lambda m: m.update(meta=np.array(b"{}")),
                              ["meta has dtype |S2 and shape (), expected a 0-d unicode string"]),
        }
        for name, (change, phrases) in cases.items():
            with self.subTest(name):
                out, npz = self.copy()
                rewrite(npz, change)
                self.assert_reported(out, npz, *phrases)

    def test_damaged_files(self):
        def truncate(npz):
            data = npz.read_bytes()
            npz.write_bytes(data[:len(data) // 2])

        def flip_compressed_byte(npz):
            data = bytearray(npz.read_bytes())
            data[len(data) // 3] ^= 0xFF  # inside X's deflated bytes
            npz.write_bytes(bytes(data))

        cases = {
            "truncated": (truncate, "not a readable zip archive"),
            "empty file": (lambda npz: npz.write_bytes(b""), "not a readable zip archive"),
            "byte flipped": (flip_compressed_byte, "X.npy: cannot read"),
            "Fortran order": (lambda npz: replace_in_member(
                npz, "X.npy", b"'fortran_order': False", b"'fortran_order': True "),
                "X.npy: bad .npy header: Fortran-order arrays are not supported"),
            "bad magic": (lambda npz: replace_in_member(
                npz, "mask.npy", b"\x93NUMPY", b"\x93NUMPX"),
                "mask.npy: not a .npy array (bad magic)"),
            "short data": (lambda npz: replace_in_member(
                npz, "timestamps_ms.npy", b"'shape': (", b"'shape': (9"),
                "timestamps_ms.npy: holds"),
            "object dtype": (lambda npz: replace_in_member(npz, "X.npy", b"'<f4'", b"'|O8'"),
                             "X.npy: bad .npy header: unsupported dtype '|O8'"),
            "not a .npy entry": (add_text_entry, "zip entry 'notes.txt' is not a .npy member"),
        }
        for name, (damage, phrase) in cases.items():
            with self.subTest(name):
                out, npz = self.copy()
                damage(npz)
                self.assert_reported(out, npz, phrase)

    def test_names_with_control_characters_are_escaped(self):
        # Issue 21: printed raw, this name would forge the summary line.
        out, _ = self.copy()
        (out / "labels.csv").unlink()
        (out / "x\nchecked 9 .npz files: no problems\x1b[2J.npz").write_bytes(b"")
        result = signprep("validate", out)
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn(f"{out}/x\\nchecked 9 .npz files: no problems\\x1b[2J.npz: "
                      "not a readable zip archive", result.stdout)
        self.assertNotIn("\x1b", result.stdout)
        self.assertFalse([line for line in result.stdout.splitlines()
                          if line.startswith("checked 9")], result.stdout)

    def test_parquet_beside_the_npz_is_checked(self):
        parquet = CLIP.replace(".npz", ".parquet")
        self.assertTrue((self.good / parquet).is_file())  # the good run wrote one, and it passed

        def truncate(path):
            data = path.read_bytes()
            path.write_bytes(data[:len(data) - 100])

        def bad_magic(path):
            path.write_bytes(b"PAR2" + path.read_bytes()[4:])

        t = self.frames
        damaged = {
            "truncated": (truncate, "not a whole Parquet file (no magic at the end)"),
            "empty": (lambda path: path.write_bytes(b""), "too short for a Parquet file"),
            "bad magic": (bad_magic, "not a Parquet file (bad magic at the start)"),
        }
        for name, (damage, phrase) in damaged.items():
            with self.subTest(name):
                out, _ = self.copy()
                damage(out / parquet)
                self.assert_reported(out, out / parquet, phrase)

        # The .npz changed under the .parquet: each disagreement is reported.
        changed = {
            "a value": (lambda m: m["X"].__setitem__((2, 7), 0.125),
                        ['1 values of columns "0" .. "155" differ from the .npz\'s (first at '
                         'column "7", row 2: ']),
            "a timestamp": (lambda m: m["timestamps_ms"].__setitem__(-1, 10**6),
                            [f"1 t_ms values differ from the .npz's (first at row {t - 1}: "]),
            "the mask": (lambda m: m["mask"].__setitem__((4, 0), not m["mask"][4, 0]),
                         ["1 mask_bits rows differ from the .npz's (first at row 4)"]),
            "row count": (lambda m: m.update({k: m[k][:-1] for k in ("X", "mask",
                                                                     "timestamps_ms")}),
                          [f"holds {t} rows, the .npz {t - 1} frames"]),
            "no keypoints": (lambda m: (m.pop("X"), m.pop("mask"),
                                        m.update(X2048=np.zeros((t, 2048), np.float32))),
                             ["lies beside an .npz without keypoints (X, mask)"]),
        }
        for name, (change, phrases) in changed.items():
            with self.subTest(name):
                out, npz = self.copy()
                rewrite(npz, change)
                self.assert_reported(out, out / parquet, *phrases)

    def test_labels_and_files_are_matched_both_ways(self):
        out, npz = self.copy()
        labels = out / "labels.csv"
        with labels.open("a") as csv:
            csv.write("ghost.npz,1,1,0\n")
        self.assert_reported(out, labels,
                             "row 2: ghost.npz is not a .npz file in the output directory")

        out, npz = self.copy()
        (out / "sub").mkdir()
        shutil.copy(npz, out / "sub" / "other.npz")
        self.assert_reported(out, out / "sub" / "other.npz", f"has no row in {out / 'labels.csv'}")
        with (out / "labels.csv").open("a") as csv:
            csv.write("sub/other.npz,4,4,1\n")
        self.assert_clean(out)

    def test_labels_values(self):
        cases = {
            "header": ("file,gloss,cat\n",
                       "header is 'file,gloss,cat', expected 'file,gloss,cat,occluded'"),
            "occluded": (f"file,gloss,cat,occluded\n{CLIP},3,3,2\n",
                         "row 1: occluded is '2', expected 0 or 1"),
            "gloss": (f"file,gloss,cat,occluded\n{CLIP},x,3,0\n",
                      "row 1: gloss 'x' is not an integer"),
            "fields": (f"file,gloss,cat,occluded\n{CLIP},3\n", "row 1 has 2 fields, expected 4"),
            "duplicate": (f"file,gloss,cat,occluded\n{CLIP},3,3,0\n{CLIP},3,3,0\n",
                          f"row 2: a second row for {CLIP}"),
        }
        for name, (text, phrase) in cases.items():
            with self.subTest(name):
                out, _ = self.copy()
                (out / "labels.csv").write_text(text)
                self.assert_reported(out, out / "labels.csv", phrase)

    def test_feature_member_is_named_by_feature_key(self):
        out, npz = self.copy()
        t = self.frames

        def add_features(members, key):
            ordered = {"X": members.pop("X"), key: np.full((t, 2048), 0.25, np.float32)}
            ordered.update(members)
            members.clear()
            members.update(ordered)

        rewrite(npz, lambda m: add_features(m, "X2048"))
        self.assert_clean(out)
        rewrite(npz, lambda m: (m.pop("X2048"), add_features(m, "feats")))
        self.assert_reported(out, npz, "unknown member 'feats'")
        self.assert_clean(out, "--feature-key", "feats")

    def test_features_alone_must_not_claim_keypoints(self):
        out, npz = self.copy()
        (out / CLIP.replace(".npz", ".parquet")).unlink()
        t = self.frames
        python_meta = json.loads(str(load_members(npz)["meta"]))

        def features_only(members, meta):
            members.clear()
            members.update(X2048=np.full((t, 2048), 0.25, np.float32),
                           timestamps_ms=np.arange(t, dtype=np.int64) * 66,
                           meta=np.array(json.dumps(meta)))

        rewrite(npz, lambda m: features_only(m, python_meta))
        self.assert_reported(out, npz, "meta describes keypoints the file does not hold "
                             "(out_size, dims_per_frame, keypoints_total, order, pose_indices, "
                             "face_indices, conf_thresh, interpolation_max_gap, occlusion, "
                             "occluded, occluded_flag)")
        rewrite(npz, lambda m: features_only(m, {"video": "a.mp4", "target_fps": 15,
                                                 "frames_kept": t}))
        self.assert_clean(out)
        rewrite(npz, lambda m: features_only(m, {"target_fps": 15, "video": "a.mp4"}))
        self.assert_reported(out, npz, "meta does not start with the Python tool's keys")

    def test_nothing_to_check(self):
        empty = self.dir / "empty"
        empty.mkdir()
        for path in [empty, self.dir / "missing"]:
            with self.subTest(str(path)):
                result = signprep("validate", path)
                self.assertEqual(result.returncode, 3, result.stdout + result.stderr)
                self.assertIn(str(path), result.stderr)
        self.assertEqual(signprep("validate").returncode, 2)
        self.assertEqual(signprep("validate", self.good, "--feature-key", "mask").returncode, 2)
        self.assertEqual(signprep("validate", "--help").returncode, 0)


if __name__ == "__main__":
    unittest.main()
