"""Compares signprep's resize (through resize_tool) with cv2.resize, bit for bit.

usage: check_resize.py TOOL GROUP   (GROUP: dataset, edges, random)

The reference is Debian 12's python3-opencv (OpenCV 4.6), which scripts/setup
installs. Inputs are seeded noise, patterns and frames of the bundled sample
clip scaled to each dataset frame size with ffmpeg. Exit status 0 when every
case matches exactly, 1 otherwise (each mismatch is described).
"""
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

try:
    import cv2
except ImportError:
    sys.exit("check_resize.py: cv2 is missing; install python3-opencv (scripts/setup does)")

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "wave_webcam_540x720p30.mp4"
MODES = {"area": cv2.INTER_AREA, "bilinear": cv2.INTER_LINEAR}

# (width, height) of the frames in the real datasets, and the two targets.
DATASET_SIZES = [(192, 144), (480, 270), (540, 720), (640, 480), (480, 854), (1280, 720),
                 (1080, 1080), (1920, 1080)]
TARGETS = [("area", 256, 256), ("bilinear", 299, 299)]


def noise(width, height, seed):
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def sample_frame(width, height, index=30):
    """Frame `index` of the sample clip, scaled by ffmpeg to width x height."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(SAMPLE), "-vf",
         f"select=eq(n\\,{index}),scale={width}:{height}", "-frames:v", "1", "-f", "rawvideo",
         "-pix_fmt", "rgb24", "-"], check=True, capture_output=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(height, width, 3)


def stripes(width, height):
    """Hard 0/255 edges and a ramp: worst cases for rounding."""
    x = np.arange(width)[None, :, None]
    y = np.arange(height)[:, None, None]
    image = np.zeros((height, width, 3), np.uint8)
    image[..., 0:1] = np.where((x // 1 + y // 2) % 2 == 0, 255, 0)
    image[..., 1:2] = ((x * 7 + y * 3) % 256).astype(np.uint8)
    image[..., 2:3] = np.where((x % 3 == 0) | (y % 5 == 0), 254, 1)
    return image


class Checker:
    def __init__(self, tool, workdir):
        self.tool = tool
        self.workdir = Path(workdir)
        self.cases = 0
        self.failures = 0

    def check(self, name, image, mode, out_width, out_height):
        height, width = image.shape[:2]
        src = self.workdir / "in.raw"
        dst = self.workdir / "out.raw"
        src.write_bytes(np.ascontiguousarray(image).tobytes())
        subprocess.run([self.tool, src, str(width), str(height), str(out_width), str(out_height),
                        mode, dst], check=True)
        ours = np.frombuffer(dst.read_bytes(), np.uint8)
        expected = cv2.resize(image, (out_width, out_height), interpolation=MODES[mode])
        self.cases += 1
        label = f"{name} {width}x{height} -> {out_width}x{out_height} {mode}"
        if ours.size != expected.size:
            self.failures += 1
            print(f"FAIL {label}: {ours.size} bytes, expected {expected.size}")
            return
        ours = ours.reshape(expected.shape)
        diff = np.abs(ours.astype(np.int16) - expected.astype(np.int16))
        if diff.max() != 0:
            self.failures += 1
            where = np.argwhere(diff)
            y, x, c = where[0]
            print(f"FAIL {label}: {len(where)} of {diff.size} values differ, max {diff.max()}; "
                  f"first at y={y} x={x} c={c}: ours {ours[y, x, c]}, cv2 {expected[y, x, c]}")


def dataset(checker):
    for width, height in DATASET_SIZES:
        inputs = [("frame", sample_frame(width, height)), ("noise", noise(width, height, width))]
        for name, image in inputs:
            for mode, out_width, out_height in TARGETS:
                checker.check(name, image, mode, out_width, out_height)
    # The clip's own frames, unscaled, at several points in time.
    for index in (0, 20, 57):
        for mode, out_width, out_height in TARGETS:
            checker.check(f"frame{index}", sample_frame(540, 720, index), mode, out_width,
                          out_height)


# (source, destination) sizes covering every path of both modes.
EDGE_CASES = [
    ((1, 1), (256, 256)), ((1, 1), (1, 1)), ((1, 1), (3, 2)),         # single pixel
    ((256, 256), (256, 256)), ((299, 299), (299, 299)),               # identity: a copy
    ((512, 512), (256, 256)), ((598, 598), (299, 299)),               # exactly 2x
    ((768, 768), (256, 256)), ((1024, 1024), (256, 256)),             # 3x, 4x
    ((256, 512), (256, 256)), ((768, 256), (256, 256)),               # 1x2, 3x1
    ((1920, 1080), (1, 1)), ((4, 4), (2, 2)), ((6, 4), (3, 2)),       # whole image, tiny
    ((300, 200), (256, 256)), ((257, 255), (128, 127)),               # non-integer, odd
    ((7, 5), (3, 2)), ((641, 479), (1, 1)), ((641, 479), (3, 1)),
    ((100, 80), (256, 256)), ((192, 144), (299, 299)),                # enlarging
    ((3, 3), (7, 7)), ((2, 2), (299, 299)), ((255, 257), (256, 256)),
    ((1000, 100), (256, 256)), ((100, 1000), (256, 256)),             # one axis each way
    ((256, 100), (256, 256)), ((100, 256), (256, 256)),
    ((2000, 10), (256, 256)), ((10, 2000), (256, 256)),               # extreme aspect
    ((1, 500), (256, 256)), ((500, 1), (256, 256)), ((1920, 1080), (256, 1)),
    ((1920, 1080), (1, 256)), ((3840, 2160), (256, 256)), ((3840, 2160), (299, 299)),
]


def edges(checker):
    for (width, height), (out_width, out_height) in EDGE_CASES:
        patterns = [("noise", noise(width, height, 7))]
        if width * height <= 1920 * 1080:  # 4K noise alone is enough and keeps this quick
            patterns.append(("stripes", stripes(width, height)))
        for mode in MODES:
            for name, image in patterns:
                checker.check(name, image, mode, out_width, out_height)


def random_sizes(checker):
    rng = np.random.default_rng(20240611)
    for case in range(150):
        # Mostly small sizes (fast), so that enlarging and mixed axes come up often.
        width, height, out_width, out_height = (int(v) for v in rng.integers(1, 200, 4))
        image = noise(width, height, case)
        for mode in MODES:
            checker.check(f"random{case}", image, mode, out_width, out_height)


GROUPS = {"dataset": dataset, "edges": edges, "random": random_sizes}


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in GROUPS:
        sys.exit(__doc__)
    if not cv2.__version__.startswith("4.6."):
        print(f"note: reference is OpenCV {cv2.__version__}; signprep follows 4.6")
    with tempfile.TemporaryDirectory() as workdir:
        checker = Checker(sys.argv[1], workdir)
        GROUPS[sys.argv[2]](checker)
    print(f"{sys.argv[2]}: {checker.cases - checker.failures} of {checker.cases} cases match "
          f"cv2 {cv2.__version__} exactly")
    sys.exit(1 if checker.failures else 0)


if __name__ == "__main__":
    main()
