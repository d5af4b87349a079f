"""`signprep model-info` and `signprep model-run` from the outside: model-run
reproduces the golden layout (output_<i>.npy + names and shapes) and numpy
finds its outputs equal to the golden ones within the golden test's bound."""
import json
import os
import subprocess
import tempfile
import unittest
from pathlib import Path

import numpy as np

SIGNPREP = os.environ["SIGNPREP"]
ROOT = Path(__file__).resolve().parent.parent.parent
GOLDEN = ROOT / "tests" / "data" / "golden" / "models"
MODELS = ROOT / "models"


class ModelCommands(unittest.TestCase):
    def test_model_run_matches_golden_outputs_and_manifest(self):
        for model in ["hand_recrop", "face_landmark_with_attention"]:
            with self.subTest(model), tempfile.TemporaryDirectory() as out:
                case = GOLDEN / model / "photo"
                result = subprocess.run([SIGNPREP, "model-run", MODELS / f"{model}.tflite",
                                         case / "input_0.npy", "-o", out],
                                        capture_output=True, text=True)
                self.assertEqual(result.returncode, 0, result.stderr)
                manifest = json.loads((GOLDEN / model / "manifest.json").read_text())
                described = json.loads((Path(out) / "outputs.json").read_text())["outputs"]
                want = [{"index": i, "name": t["name"], "shape": t["shape"]}
                        for i, t in enumerate(manifest["tensors"]["outputs"])]
                self.assertEqual(described, want)
                for i in range(len(want)):
                    ours = np.load(Path(out) / f"output_{i}.npy")
                    golden = np.load(case / f"output_{i}.npy")
                    self.assertEqual(ours.dtype, np.float32)
                    self.assertEqual(ours.shape, golden.shape)
                    bound = 1e-6 + 1e-4 * np.abs(golden).max()
                    self.assertLessEqual(np.abs(ours - golden).max(), bound)

    def test_model_run_refuses_a_wrong_input_shape(self):
        with tempfile.TemporaryDirectory() as out:
            wrong = Path(out) / "wrong.npy"
            np.save(wrong, np.zeros((1, 10, 10, 3), np.float32))
            result = subprocess.run([SIGNPREP, "model-run", MODELS / "hand_recrop.tflite", wrong,
                                     "-o", out], capture_output=True, text=True)
            self.assertEqual(result.returncode, 3)
            self.assertIn("shape [1,10,10,3]", result.stderr)
            self.assertIn("needs [1,256,256,3]", result.stderr)

    def test_model_info_lists_inputs_outputs_ops_and_macs(self):
        result = subprocess.run([SIGNPREP, "model-info", MODELS / "hand_landmark_full.tflite"],
                                capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("inputs   0 input_1 [1,224,224,3]", result.stdout)
        self.assertIn("CONV_2D 31", result.stdout)
        self.assertIn("DEPTHWISE_CONV_2D 16", result.stdout)
        self.assertRegex(result.stdout, r"MACs     \d+\.\d M")

    def test_corrupt_model_is_a_model_error(self):
        with tempfile.TemporaryDirectory() as out:
            bad = Path(out) / "cut.tflite"
            bad.write_bytes((MODELS / "hand_recrop.tflite").read_bytes()[:5000])
            result = subprocess.run([SIGNPREP, "model-info", bad], capture_output=True, text=True)
            self.assertEqual(result.returncode, 5, result.stderr)
            self.assertIn("cut", result.stderr)


if __name__ == "__main__":
    unittest.main()
