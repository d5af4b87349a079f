"""`signprep VIDEOS OUT --write-iv3-features` end to end: per clip an .npz with
the features, timestamps and meta; a bad video costs only itself; weights are
found through --iv3-weights, $SIGNPREP_IV3_WEIGHTS or refused clearly.

Random InceptionV3 weights are generated with torchvision (iv3_reference.py);
inception_v3_test.cpp checks the values against torchvision, this checks the
run around them.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import iv3_reference  # noqa: E402
import video_fixtures  # noqa: E402

SIGNPREP = os.environ["SIGNPREP"]
FPS = 5  # 10 frames of the 2-second sample: quick, and still several batches


def signprep(*args, env=None):
    return subprocess.run([SIGNPREP, *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


class FeaturesRun(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = Path(cls.tmp.name)
        torch.set_num_threads(2)
        cls.weights = cls.dir / "weights.safetensors"
        iv3_reference.write_random_weights(cls.weights, frames=2)
        cls.videos = cls.dir / "videos"
        (cls.videos / "sub").mkdir(parents=True)
        shutil.copy(video_fixtures.SAMPLE, cls.videos / "wave.mp4")
        shutil.copy(video_fixtures.SAMPLE, cls.videos / "sub" / "wave.mp4")
        (cls.videos / "broken.mp4").write_text("not a video")
        cls.out = cls.dir / "out"
        cls.result = signprep(cls.videos, cls.out, "--write-iv3-features", "--iv3-weights",
                              cls.weights, "--target-fps", FPS, "--batch-size", 4, "--workers", 2,
                              "--id", 7)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_bad_video_fails_alone_with_exit_code_1(self):
        self.assertEqual(self.result.returncode, 1, self.result.stderr)
        self.assertIn("broken.mp4: cannot open as a video", self.result.stderr)
        self.assertIn("2 of 3 videos written", self.result.stderr)
        self.assertEqual(sorted(p.relative_to(self.out).as_posix() for p in self.out.rglob("*")),
                         ["labels.csv", "run_report.json", "sub", "sub/wave.npz", "wave.npz"])

    def test_npz_holds_features_timestamps_and_meta(self):
        probe = json.loads(signprep("probe", "--json", "--target-fps", FPS,
                                    self.videos / "wave.mp4").stdout)[0]
        with np.load(self.out / "wave.npz") as npz:
            self.assertEqual(npz.files, ["X2048", "timestamps_ms", "meta"])
            features = npz["X2048"]
            self.assertEqual(features.dtype, np.float32)
            self.assertEqual(features.shape, (len(probe["timestamps_ms"]), 2048))
            self.assertTrue(np.isfinite(features).all())
            self.assertGreater(features.std(axis=0).mean(), 0)  # frames differ
            self.assertEqual(npz["timestamps_ms"].dtype, np.int64)
            self.assertEqual(npz["timestamps_ms"].tolist(), probe["timestamps_ms"])
            meta = json.loads(str(npz["meta"]))
            self.assertEqual(meta["video"], "wave.mp4")
            self.assertEqual(meta["frames_kept"], features.shape[0])
            # The copy in sub/ got its own file with the same features.
            with np.load(self.out / "sub" / "wave.npz") as copy:
                np.testing.assert_array_equal(copy["X2048"], features)

    def test_labels_rows_for_written_clips(self):
        self.assertEqual((self.out / "labels.csv").read_text().splitlines(),
                         ["file,gloss,cat,occluded", "sub/wave.npz,7,7,0", "wave.npz,7,7,0"])

    def test_batch_size_does_not_change_the_features(self):
        out = self.dir / "one_batch"
        result = signprep(self.videos / "wave.mp4", out, "--write-iv3-features", "--iv3-weights",
                          self.weights, "--target-fps", FPS, "--batch-size", 32,
                          "--feature-key", "feats")
        self.assertEqual(result.returncode, 0, result.stderr)
        with np.load(out / "wave.npz") as one, np.load(self.out / "wave.npz") as batched:
            # Batches of 4 plus single frames against one batch: other oneDNN
            # blockings, float32 sums in other orders; the parity bound of
            # inception_v3_test.cpp applies.
            a, b = one["feats"], batched["X2048"]
            error = np.linalg.norm(a - b, axis=1) / np.linalg.norm(b, axis=1)
            self.assertLess(error.max(), 1e-4)

    def test_weights_from_the_environment(self):
        out = self.dir / "from_env"
        result = signprep(self.videos / "wave.mp4", out, "--write-iv3-features", "--target-fps",
                          FPS, env={"SIGNPREP_IV3_WEIGHTS": str(self.weights)})
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue((out / "wave.npz").exists())

    def test_bad_weights_exit_5_and_write_nothing(self):
        text = self.dir / "weights.txt"
        text.write_text("not weights")
        for name, args, env, phrase in [
            ("missing flag path", ["--iv3-weights", self.dir / "none.safetensors"], {},
             "none.safetensors: cannot open: no such file"),
            ("text file from the environment", [], {"SIGNPREP_IV3_WEIGHTS": str(text)},
             "weights.txt: not a safetensors file"),
        ]:
            with self.subTest(name):
                out = self.dir / name.replace(" ", "_")
                result = signprep(self.videos, out, "--write-iv3-features", *args, env=env)
                self.assertEqual(result.returncode, 5, result.stderr)
                self.assertIn(phrase, result.stderr)
                self.assertIn('README.md, "InceptionV3 weights"', result.stderr)
                # The weights load before OUT is made: nothing is created.
                self.assertFalse(out.exists())


def cpu_has_amx():
    """/proc/cpuinfo's word, independent of the oneDNN probe signprep asks."""
    return "amx_bf16" in Path("/proc/cpuinfo").read_text().split()


def cpu_has_bf16_instructions():
    """AVX-512 bf16 dot products (AMD Zen 4, some Xeons), where bf16 may run
    faster than fp32 without AMX; without them oneDNN emulates bf16."""
    return "avx512_bf16" in Path("/proc/cpuinfo").read_text().split()


def fnv1a64(data):
    value = 14695981039346656037
    for byte in data:
        value = ((value ^ byte) * 1099511628211) % 2**64
    return value


def cpu_has_int8_dot_products():
    """VNNI (AVX-512 or AVX) or AMX-INT8, where oneDNN's int8 kernels are fast."""
    flags = Path("/proc/cpuinfo").read_text().split()
    return any(flag in flags for flag in ("avx512_vnni", "avx_vnni", "amx_int8"))


class CpuPrecision(unittest.TestCase):
    """--iv3-precision and --keypoint-precision on the CPU: bf16 where oneDNN
    runs it on AMX, refused or fallen back from elsewhere, and recorded.
    inception_v3_test.cpp and golden_test.cpp check bf16's values."""

    @classmethod
    def setUpClass(cls):
        FeaturesRun.setUpClass.__func__(cls)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def run_one(self, out, *args):
        return signprep(self.videos / "wave.mp4", out, "--iv3-weights", self.weights,
                        "--target-fps", FPS, "--workers", 1, *args)

    def test_auto_takes_bf16_only_on_amx(self):
        out = self.dir / "auto"
        result = self.run_one(out, "--write-iv3-features", "--iv3-precision", "auto")
        self.assertEqual(result.returncode, 0, result.stderr)
        report = json.loads((out / "run_report.json").read_text())
        with np.load(out / "wave.npz") as auto, np.load(self.out / "wave.npz") as default:
            meta = json.loads(str(auto["meta"]))
            if cpu_has_amx():
                self.assertEqual(meta["iv3_precision"], "bf16")
                self.assertEqual(report["options"]["iv3_precision"], "bf16")
                self.assertNotIn("warning", result.stderr)
                a, b = auto["X2048"], default["X2048"]
                cosine = (a * b).sum(axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
                self.assertGreater(cosine.min(), 0.98)  # random weights: inception_v3_test.cpp
            else:
                # fp32 with one warning, and the very features of an fp32 run.
                self.assertNotIn("iv3_precision", meta)
                self.assertEqual(report["options"]["iv3_precision"], "fp32")
                self.assertEqual(result.stderr.count("warning"), 1, result.stderr)
                self.assertIn("--iv3-precision auto: fp32, since oneDNN would run bf16 "
                              "convolutions on", result.stderr)
                np.testing.assert_array_equal(auto["X2048"], default["X2048"])

    def test_explicit_bf16_runs_only_where_it_is_fast(self):
        """On AMX it runs; where oneDNN emulates bf16 it is refused; with bf16
        vector instructions and no AMX the probe's measured speed decides,
        and the refusal says what it measured (below the 1.25x bar)."""
        for args in (["--write-iv3-features", "--iv3-precision", "bf16"],
                     ["--write-keypoints", "--keypoint-precision", "bf16"]):
            with self.subTest(args):
                out = self.dir / ("bf16_" + args[0].strip("-"))
                result = self.run_one(out, *args)
                accepted = cpu_has_amx() or (cpu_has_bf16_instructions() and result.returncode == 0)
                if accepted:
                    self.assertEqual(result.returncode, 0, result.stderr)
                    with np.load(out / "wave.npz") as npz, np.load(self.out / "wave.npz") as fp32:
                        meta = json.loads(str(npz["meta"]))
                        if "X2048" in npz:
                            a, b = npz["X2048"], fp32["X2048"]
                            cosine = ((a * b).sum(axis=1) / np.linalg.norm(a, axis=1)
                                      / np.linalg.norm(b, axis=1))
                            self.assertGreater(cosine.min(), 0.98)  # as auto on AMX, above
                    key = "iv3_precision" if "iv3" in args[1] else "keypoint_precision"
                    self.assertEqual(meta[key], "bf16")
                else:
                    self.assertEqual(result.returncode, 4, result.stderr)
                    self.assertIn(f"{args[1]} bf16: oneDNN would run bf16 convolutions on",
                                  result.stderr)
                    self.assertIn("not on AMX matrix units", result.stderr)
                    measured = re.search(r"probe convolution ran at ([\d.]+)x fp32's speed",
                                         result.stderr)
                    self.assertIsNotNone(measured, result.stderr)
                    self.assertLess(float(measured.group(1)), 1.25)
                    self.assertFalse(out.exists())

    def calibrate(self, *args):
        return signprep("calibrate-iv3", video_fixtures.SAMPLE, "--iv3-weights", self.weights,
                        "--frames-per-video", 4, *args)

    def test_int8_runs_on_the_calibration_beside_the_weights(self):
        result = self.calibrate()
        self.assertEqual(result.returncode, 0, result.stderr)
        calibration = self.weights.with_suffix(".int8.json")
        self.assertIn(f"on 4 frames of 1 videos: {calibration}", result.stdout)
        first = calibration.read_bytes()
        self.assertEqual(self.calibrate().returncode, 0)
        self.assertEqual(calibration.read_bytes(), first, "the same frames, the same file")
        content = json.loads(first)
        self.assertEqual(content["videos"], [{"video": video_fixtures.SAMPLE.name, "frames": 4}])
        self.assertEqual(content["weights"]["bytes"], self.weights.stat().st_size)
        # One per operator: 94 convolutions, 13 pools, 11 concatenations, the
        # global average.
        self.assertEqual(len(content["ranges"]), 119)

        out = self.dir / "int8"
        result = self.run_one(out, "--write-iv3-features", "--iv3-precision", "int8")
        if not cpu_has_int8_dot_products():
            self.assertEqual(result.returncode, 4, result.stderr)
            self.assertIn("--iv3-precision int8: oneDNN would run int8 convolutions on",
                          result.stderr)
            self.assertFalse(out.exists())
            return
        self.assertEqual(result.returncode, 0, result.stderr)
        report = json.loads((out / "run_report.json").read_text())
        self.assertEqual(report["options"]["iv3_precision"], "int8")
        with np.load(out / "wave.npz") as int8, np.load(self.out / "wave.npz") as default:
            self.assertEqual(json.loads(str(int8["meta"]))["iv3_precision"], "int8")
            a, b = int8["X2048"], default["X2048"]
            cosine = (a * b).sum(axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
            # These weights (batch norm fitted to noise) measured 0.9997;
            # inception_v3_test.cpp bounds int8's values.
            self.assertGreater(cosine.min(), 0.99)
            self.assertEqual(json.loads(str(int8["meta"]))["iv3_calibration"],
                             f"{fnv1a64(calibration.read_bytes()):016x}")

        # --resume keeps the clip for the same calibration, redoes it for another.
        result = self.run_one(out, "--write-iv3-features", "--iv3-precision", "int8", "--resume")
        self.assertIn("resumed:           1 (written by an earlier run)", result.stderr)
        self.assertEqual(self.calibrate("--frames-per-video", 2).returncode, 0)
        result = self.run_one(out, "--write-iv3-features", "--iv3-precision", "int8", "--resume")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertNotIn("resumed:", result.stderr)
        self.assertIn("1 of 1 videos written", result.stderr)

    def test_int8_without_its_calibration_exit_5_and_write_nothing(self):
        other = self.dir / "other_weights.safetensors"
        data = bytearray(self.weights.read_bytes())
        data[-1] ^= 1  # one bit of the last weight
        other.write_bytes(bytes(data))
        calibration = self.dir / "calibration.json"
        self.assertEqual(self.calibrate("--out", calibration).returncode, 0)
        cases = {
            "missing": (["--iv3-calibration", self.dir / "none.json"], "does not exist"),
            "other weights": (["--iv3-calibration", calibration, "--iv3-weights", other],
                              "was made for other weights than"),
            "not a calibration": (["--iv3-calibration", self.weights],
                                  "is not valid JSON"),
        }
        for name, (args, phrase) in cases.items():
            with self.subTest(name):
                out = self.dir / ("int8_" + name.replace(" ", "_"))
                result = self.run_one(out, "--write-iv3-features", "--iv3-precision", "int8",
                                      *args)
                if not cpu_has_int8_dot_products():
                    self.assertEqual(result.returncode, 4, result.stderr)
                    continue
                self.assertEqual(result.returncode, 5, result.stderr)
                self.assertIn(phrase, result.stderr)
                self.assertIn("make one with: signprep calibrate-iv3 --iv3-weights",
                              result.stderr)
                self.assertFalse(out.exists())

    def test_int8_flags_are_checked(self):
        for args, phrase in (
                (["--write-keypoints", "--keypoint-precision", "int8"],
                 "--keypoint-precision: the keypoint models run on the CPU, in fp32, bf16 or auto"),
                (["--write-iv3-features", "--iv3-calibration", "c.json"],
                 "--iv3-calibration is read by --iv3-precision int8 only")):
            with self.subTest(args):
                result = self.run_one(self.dir / "flags", *args)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertIn(phrase, result.stderr)

    def test_keypoints_auto_stays_fp32_with_one_warning(self):
        # bf16 keypoints fail docs/AGREEMENT.md on some clips: auto keeps
        # fp32 for them on every CPU, AMX or not, and says why.
        out = self.dir / "keypoints_auto"
        result = self.run_one(out, "--write-keypoints", "--keypoint-precision", "auto")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr.count("warning"), 1, result.stderr)
        self.assertIn("--keypoint-precision auto: fp32, since bf16 keypoints differ from "
                      "MediaPipe's", result.stderr)
        report = json.loads((out / "run_report.json").read_text())
        self.assertEqual(report["options"]["keypoint_precision"], "fp32")
        with np.load(out / "wave.npz") as npz:
            self.assertNotIn("keypoint_precision", json.loads(str(npz["meta"])))


CUDA_BUILT = os.environ.get("SIGNPREP_CUDA_BUILT") == "1"
# Each message that ends a --device cuda run without a usable GPU says how to
# go on without one.
ON_THE_CPU = "or leave out --device to compute on the CPU"
# The GPU against the CPU, per frame. fp32 runs without TF32 or FFT: the
# bound of inception_v3_test.cpp (float32 sums in other orders). fp16 and
# bf16 round every activation to 11 and 8 significant bits (unit roundoff
# 4.9e-4, 3.9e-3); over the ~95 layers, errors that add up as a random walk
# (sqrt(95) ~ 10x) give the bounds below. docs/BENCHMARKS.md has the measured
# figures.
RELATIVE_L2_BOUND = {"fp32": 1e-4, "fp16": 1e-2, "bf16": 5e-2}


def library_of_signprep(name):
    """The path of a shared library signprep is linked with, as ldd finds it."""
    listing = subprocess.run(["ldd", SIGNPREP], capture_output=True, text=True).stdout
    return next(Path(line.split("=>")[1].split()[0]) for line in listing.splitlines()
                if line.strip().startswith(name))


class Gpu(unittest.TestCase):
    """--device cuda: the features of a GPU, where there is one; elsewhere, a
    one-line error (exit 7) that says why and how to go on, and no output."""

    @classmethod
    def setUpClass(cls):
        FeaturesRun.setUpClass.__func__(cls)  # the same weights, and the CPU's features

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def run_on(self, out, *args):
        return signprep(self.videos / "wave.mp4", out, "--write-iv3-features", "--iv3-weights",
                        self.weights, "--target-fps", FPS, *args)

    def gpu_or_skip(self, out, *args):
        result = self.run_on(out, "--device", "cuda", *args)
        if result.returncode == 7:
            self.skipTest("no usable GPU: " + result.stderr.strip())
        self.assertEqual(result.returncode, 0, result.stderr)
        return result

    def test_features_equal_the_cpu_path(self):
        for precision, bound in RELATIVE_L2_BOUND.items():
            with self.subTest(precision):
                out = self.dir / ("gpu_" + precision)
                self.gpu_or_skip(out, "--iv3-precision", precision, "--batch-size", 8)
                with np.load(out / "wave.npz") as gpu, np.load(self.out / "wave.npz") as cpu:
                    a, b = gpu["X2048"], cpu["X2048"]
                    error = np.linalg.norm(a - b, axis=1) / np.linalg.norm(b, axis=1)
                    self.assertLess(error.max(), bound)
                    meta = json.loads(str(gpu["meta"]))
                    self.assertEqual(meta.get("iv3_precision", "fp32"), precision)

    def test_without_a_gpu_exit_7_and_write_nothing(self):
        out = self.dir / "no_gpu"
        result = self.run_on(out, "--device", "cuda")
        if result.returncode == 0:
            self.skipTest("this machine has a usable GPU")
        self.assertEqual(result.returncode, 7, result.stderr)
        message = result.stderr.strip()
        self.assertEqual(len(message.splitlines()), 1, message)
        self.assertIn(ON_THE_CPU, message)
        if not CUDA_BUILT:
            self.assertIn("built without its CUDA backend", message)
        self.assertFalse(out.exists())  # the GPU is checked before OUT is made

    def test_a_broken_backend_library_is_named(self):
        if not CUDA_BUILT:
            self.skipTest("built without the CUDA backend")
        # A copy of the program finds the library beside itself first.
        for name, content, phrase in [
            ("not_a_library", b"not a shared library", "cannot load the CUDA backend: "),
            ("another_library", library_of_signprep("libz.so"),
             "is not signprep's CUDA backend (no signprep_cuda_plugin_abi)"),
        ]:
            with self.subTest(name):
                folder = self.dir / name
                folder.mkdir()
                shutil.copy(SIGNPREP, folder / "signprep")
                library = folder / "libsignprep_cuda.so"
                if isinstance(content, bytes):
                    library.write_bytes(content)
                else:
                    shutil.copy(content, library)
                result = subprocess.run(
                    [folder / "signprep", self.videos / "wave.mp4", folder / "out",
                     "--write-iv3-features", "--iv3-weights", self.weights, "--device", "cuda"],
                    capture_output=True, text=True)
                self.assertEqual(result.returncode, 7, result.stderr)
                self.assertIn(phrase, result.stderr)
                self.assertIn(ON_THE_CPU, result.stderr)

    def test_a_missing_cudnn_is_named_with_its_fix(self):
        if not CUDA_BUILT:
            self.skipTest("built without the CUDA backend")
        # A backend that needs a cuDNN the loader cannot find: built here with
        # g++ against a stand-in library that is then removed.
        folder = self.dir / "no_cudnn"
        folder.mkdir()
        stand_in = folder / "libcudnn_missing_for_test.so.9"
        source = folder / "empty.c"
        source.write_text("int signprep_test_symbol;\n")
        subprocess.run(["gcc", "-shared", "-fPIC", "-o", stand_in, source,
                        "-Wl,-soname," + stand_in.name], check=True)
        subprocess.run(["gcc", "-shared", "-fPIC", "-o", folder / "libsignprep_cuda.so", source,
                        "-Wl,--no-as-needed", stand_in], check=True)
        stand_in.unlink()
        shutil.copy(SIGNPREP, folder / "signprep")
        result = subprocess.run(
            [folder / "signprep", self.videos / "wave.mp4", folder / "out", "--write-iv3-features",
             "--iv3-weights", self.weights, "--device", "cuda"], capture_output=True, text=True)
        self.assertEqual(result.returncode, 7, result.stderr)
        self.assertIn("cannot load the CUDA backend: libcudnn_missing_for_test.so.9: cannot open "
                      "shared object file", result.stderr)
        self.assertIn("install cuDNN 9 for CUDA 13", result.stderr)
        self.assertIn(ON_THE_CPU, result.stderr)
        self.assertFalse((folder / "out").exists())

    def test_device_flags_are_checked(self):
        for args, phrase in [
            (["--device", "tpu"], "--device: 'tpu' is not a device (cpu, cuda or cuda:N)"),
            (["--device", "cuda:x"], "--device: 'cuda:x' is not a device"),
            (["--device", "cuda", "--iv3-precision", "fp8"],
             "unknown precision 'fp8' (choose fp32, bf16, int8, auto or fp16)"),
            (["--iv3-precision", "fp16"], "--iv3-precision fp16 is for the GPU"),
            (["--device", "cuda", "--iv3-precision", "auto"],
             "--iv3-precision auto is for the CPU"),
            (["--keypoint-precision", "fp16"], "the keypoint models run on the CPU"),
        ]:
            with self.subTest(args):
                result = self.run_on(self.dir / "flags", *args)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertIn(phrase, result.stderr)
        result = signprep(self.videos / "wave.mp4", self.dir / "flags", "--write-keypoints",
                          "--device", "cuda")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("add --write-iv3-features", result.stderr)

    def test_a_batch_beyond_cudnns_tensors_names_the_batch_that_fits(self):
        if not CUDA_BUILT:
            self.skipTest("built without the CUDA backend")
        # Conv2d_2b's 147 x 147 x 64 values a frame: 1552 frames stay under 2^31.
        out = self.dir / "huge_batch"
        result = self.run_on(out, "--device", "cuda", "--batch-size", "1553")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("use --batch-size 1552 or less", result.stderr)
        self.assertFalse(out.exists())

    def test_cpu_is_the_default_device(self):
        out = self.dir / "explicit_cpu"
        result = self.run_on(out, "--device", "cpu", "--batch-size", 4, "--workers", 2)
        self.assertEqual(result.returncode, 0, result.stderr)
        with np.load(out / "wave.npz") as explicit, np.load(self.out / "wave.npz") as default:
            np.testing.assert_array_equal(explicit["X2048"], default["X2048"])
            self.assertNotIn("iv3_precision", json.loads(str(explicit["meta"])))
        report = json.loads((out / "run_report.json").read_text())
        self.assertEqual(report["options"]["iv3_device"], "cpu")


class FeatureServer(unittest.TestCase):
    """--device cuda's feature server: one process batching every worker's
    frames. Its mechanics (shared memory, batches across clips, order per
    clip, deaths) are checked here without a GPU: the test hook
    SIGNPREP_TEST_FEATURE_SERVER_ON_CPU=1 puts the CPU network where the GPU's
    would be (pipeline/feature_server.cpp)."""

    @classmethod
    def setUpClass(cls):
        FeaturesRun.setUpClass.__func__(cls)
        cls.clips = cls.dir / "clips"
        cls.clips.mkdir()
        for name in "abcd":
            shutil.copy(video_fixtures.SAMPLE, cls.clips / f"{name}.mp4")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def served(self, out, env=None, *args):
        return signprep(self.clips, out, "--write-iv3-features", "--iv3-weights", self.weights,
                        "--target-fps", FPS, "--device", "cuda", "--batch-size", 4, "--workers", 2,
                        *args, env={"SIGNPREP_TEST_FEATURE_SERVER_ON_CPU": "1", **(env or {})})

    def assert_cpu_features(self, npz):
        with np.load(npz) as served, np.load(self.out / "wave.npz") as cpu:
            a, b = served["X2048"], cpu["X2048"]
            self.assertEqual(a.shape, b.shape)
            # The parity bound of inception_v3_test.cpp: batching changes
            # which frames share a run, never the arithmetic of one frame.
            error = np.linalg.norm(a - b, axis=1) / np.linalg.norm(b, axis=1)
            self.assertLess(error.max(), 1e-4)

    def test_batches_cross_clips_and_each_clip_keeps_its_order(self):
        out = self.dir / "served"
        result = self.served(out)
        self.assertEqual(result.returncode, 0, result.stderr)
        for name in "abcd":
            self.assert_cpu_features(out / f"{name}.npz")
        stats = json.loads((out / "run_report.json").read_text())["feature_server"]
        frames = 4 * json.loads(str(np.load(out / "a.npz")["meta"]))["frames_kept"]
        self.assertEqual(stats["frames"], frames)
        self.assertEqual(stats["batch_size"], 4)
        self.assertGreaterEqual(stats["batches"], frames / 4)
        self.assertLess(stats["batches"], frames)  # frames were batched, not sent one by one
        self.assertGreater(stats["busy_seconds"], 0)
        self.assertLessEqual(stats["busy_seconds"], stats["serving_seconds"])
        self.assertIn(f"signprep: InceptionV3 on the CPU (test stand-in), batch 4: {frames} "
                      f"frames in {stats['batches']} batches", result.stderr)

    def test_a_worker_dying_costs_only_its_clip(self):
        out = self.dir / "worker_died"
        result = self.served(out, {"SIGNPREP_TEST_CRASH_ON": "b.mp4"})
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("b.mp4: the worker processing it was killed by signal 9", result.stderr)
        self.assertFalse((out / "b.npz").exists())
        for name in "acd":
            self.assert_cpu_features(out / f"{name}.npz")

    def test_the_server_dying_fails_the_clips_in_flight_and_the_run_goes_on(self):
        out = self.dir / "server_died"
        result = self.served(out, {"SIGNPREP_TEST_FEATURE_SERVER_CRASH_AFTER": "4"})
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("signprep: warning: the feature server was killed by signal 9", result.stderr)
        self.assertIn("the run's feature server stopped answering", result.stderr)
        written = sorted(p.stem for p in out.glob("*.npz"))
        report = json.loads((out / "run_report.json").read_text())
        failed = [v["input"] for v in report["videos"] if v["status"] == "failed"]
        self.assertTrue(failed)
        self.assertLessEqual(len(failed), 2)  # one clip in flight per worker at most
        self.assertEqual(len(written) + len(failed), 4)
        for name in written:  # computed on the CPU once the server had gone
            self.assert_cpu_features(out / f"{name}.npz")
        self.assertIsNone(report["feature_server"])


if __name__ == "__main__":
    unittest.main()
