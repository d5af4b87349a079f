"""Errors are Python exceptions with signprep's message: ValueError for bad
arguments, OSError for files, NotImplementedError for what is not built."""
import numpy as np
import pytest

import signprep
from conftest import CLIPS


@pytest.fixture(scope="module")
def holistic():
    return signprep.Holistic()


def test_missing_video_is_an_oserror(tmp_path):
    with pytest.raises(OSError, match="missing.mp4"):
        signprep.VideoReader(tmp_path / "missing.mp4")
    with pytest.raises(OSError, match="missing.mp4"):
        signprep.extract(tmp_path / "missing.mp4")


def test_a_file_that_is_no_video_is_an_oserror(tmp_path):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video")
    with pytest.raises(OSError, match="bad.mp4"):
        signprep.Extractor().extract(bad)


def test_missing_models_are_an_oserror(tmp_path):
    with pytest.raises(OSError, match="tflite"):
        signprep.Holistic(models_dir=tmp_path)
    with pytest.raises(OSError, match="safetensors"):
        signprep.InceptionV3(tmp_path / "none.safetensors")


@pytest.mark.parametrize("options, message", [
    ({"model_complexity": 3}, "model_complexity"),
    ({"min_detection_confidence": 1.5}, "min_detection_confidence"),
    ({"threads": 0}, "threads"),
])
def test_bad_holistic_options_are_valueerrors(options, message):
    with pytest.raises(ValueError, match=message):
        signprep.Holistic(**options)


@pytest.mark.parametrize("options, message", [
    ({"target_fps": 0}, "target-fps"),
    ({"sampling": "sometimes"}, "sampling"),
    ({"out_size": 8}, "out-size"),
    ({"keypoints": False}, "nothing to extract"),
])
def test_bad_extract_options_are_valueerrors(options, message):
    with pytest.raises(ValueError, match=message):
        signprep.Extractor(**options)


def test_unknown_extract_option_is_a_typeerror():
    with pytest.raises(TypeError, match="fsp"):
        signprep.extract(CLIPS[0], fsp=15)


@pytest.mark.parametrize("image, message", [
    (np.zeros((64, 64, 3), np.float32), "uint8"),
    (np.zeros((64, 64), np.uint8), "shape"),
    (np.zeros((64, 64, 4), np.uint8), "shape"),
    (np.zeros((64, 64, 3), np.uint8)[:, ::2], "interleaved"),
    (np.zeros((0, 64, 3), np.uint8), "empty"),
])
def test_bad_frames_are_valueerrors(holistic, image, message):
    with pytest.raises(ValueError, match=message):
        holistic.process(image)


def test_a_cropped_frame_is_read_in_place(holistic):
    frame = np.zeros((100, 120, 3), np.uint8)
    holistic.reset()
    holistic.process(frame[10:90, 20:100])  # strided rows: no copy, no error


def test_timestamps_must_increase(holistic):
    frame = np.zeros((64, 64, 3), np.uint8)
    holistic.reset()
    holistic.process(frame, timestamp_ms=100)
    with pytest.raises(ValueError, match="increase"):
        holistic.process(frame, timestamp_ms=100)
    holistic.reset()
    holistic.process(frame, timestamp_ms=50)  # a new video


def test_what_is_not_built_says_so():
    with pytest.raises(NotImplementedError, match="model_selection=0"):
        signprep.SelfieSegmentation(model_selection=0)
    with pytest.raises(NotImplementedError, match="enable_segmentation"):
        signprep.solutions.holistic.Holistic(enable_segmentation=True)
    with signprep.solutions.holistic.Holistic() as holistic:
        holistic.process(np.zeros((64, 64, 3), np.uint8))
    with pytest.raises(ValueError, match="closed"):
        holistic.process(np.zeros((64, 64, 3), np.uint8))
