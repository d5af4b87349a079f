"""signprep.extract and signprep.InceptionV3 against the command line's .npz:
bit-identical arrays, the same meta (the same code path; any difference is a bug)."""
import json

import numpy as np
import pytest

import signprep
from conftest import CLIPS, run_cli


def assert_same_as_npz(extracted, npz_path):
    with np.load(npz_path) as npz:
        assert list(extracted) == npz.files
        for name in npz.files:
            if name == "meta":
                assert extracted["meta"] == json.loads(str(npz["meta"]))
            else:
                assert extracted[name].dtype == npz[name].dtype, name
                floating = npz[name].dtype.kind == "f"  # --keypoints full's blocks hold NaN
                assert np.array_equal(extracted[name], npz[name], equal_nan=floating), name


@pytest.mark.parametrize("clip", CLIPS, ids=lambda c: c.stem)
def test_keypoints_equal_the_cli_npz(clip, cli_keypoints):
    assert_same_as_npz(signprep.extract(clip), cli_keypoints / f"{clip.stem}.npz")


def test_keypoints_and_features_equal_the_cli_npz(tmp_path, iv3_weights):
    clip = CLIPS[0]
    run_cli(clip, tmp_path, "--write-keypoints", "--write-iv3-features", "--iv3-weights",
            iv3_weights, "--target-fps", "5", "--feature-key", "F", "--quiet")
    extracted = signprep.extract(clip, iv3_features=True, iv3_weights=iv3_weights,
                                 target_fps=5, feature_key="F")
    assert list(extracted) == ["X", "F", "mask", "timestamps_ms", "meta"]
    assert_same_as_npz(extracted, tmp_path / f"{clip.stem}.npz")


def test_full_keypoints_equal_the_cli_npz(cli_python_rule):
    clip = CLIPS[1]
    extracted = signprep.extract(clip, keypoints="full", sampling="python", max_gap=0)
    assert list(extracted)[4:] == ["pose", "pose_present", "pose_world", "left_hand",
                                   "left_hand_present", "right_hand", "right_hand_present",
                                   "face", "face_present"]
    assert_same_as_npz(extracted, cli_python_rule / f"{clip.stem}.npz")


def test_holistic_settings_reach_the_extractor():
    plain = signprep.extract(CLIPS[0], keypoints="full", refine_face=False, target_fps=2)
    assert plain["face"].shape[1:] == (468, 3)
    assert plain["meta"]["refine_face"] is False
    with pytest.raises(ValueError, match="--keypoints takes 78 or full"):
        signprep.Extractor(keypoints="all")


def test_an_extractor_serves_many_clips(cli_keypoints):
    extractor = signprep.Extractor(keypoints=True)
    for clip in CLIPS + CLIPS[:1]:  # the first again: no state carried over
        assert_same_as_npz(extractor.extract(clip), cli_keypoints / f"{clip.stem}.npz")


def test_arrays_own_their_memory_and_are_writable():
    x = signprep.extract(CLIPS[0], target_fps=2)["X"]
    assert x.flags.c_contiguous and x.flags.writeable and x.base is not None
    x[0, 0] = 7.0  # the array's own buffer


def test_inception_features_equal_the_cli_npz(tmp_path, iv3_weights):
    clip = CLIPS[1]
    run_cli(clip, tmp_path, "--write-iv3-features", "--iv3-weights", iv3_weights,
            "--target-fps", "3", "--quiet")
    frames = np.stack([rgb for _, rgb in signprep.VideoReader(clip, target_fps=3)])
    features = signprep.InceptionV3(iv3_weights).features(frames)
    with np.load(tmp_path / f"{clip.stem}.npz") as npz:
        assert features.dtype == np.float32 and features.shape == npz["X2048"].shape
        assert np.array_equal(features, npz["X2048"])
