"""signprep.Holistic and the MediaPipe drop-in against the command line's
keypoints on the same frames."""
import numpy as np
import pytest

import signprep
from conftest import CLIPS
import mediapipe_style_script


def sampled_frames(clip):
    """The frames `signprep --sampling python` keeps, as the Python tool kept them."""
    return [rgb for _, rgb in signprep.VideoReader(clip, target_fps=15, sampling="python")]


@pytest.mark.parametrize("clip", CLIPS, ids=lambda c: c.stem)
def test_a_mediapipe_style_script_gives_the_cli_keypoints(clip, cli_python_rule):
    # The CLI ran without gap filling (--max-gap 0), so its X and mask are the
    # per-frame points the script builds; the same models on the same pixels
    # give the same bits.
    x, mask = mediapipe_style_script.keypoints(sampled_frames(clip))
    with np.load(cli_python_rule / f"{clip.stem}.npz") as npz:
        assert np.array_equal(x, npz["X"])
        assert np.array_equal(mask, npz["mask"])


def test_holistic_blocks_and_their_shapes():
    frames = sampled_frames(CLIPS[2])[:20]
    refined, plain = signprep.Holistic(), signprep.Holistic(refine_face_landmarks=False)
    found = {"pose": 0, "face": 0}
    for frame in frames:
        a, b = refined.process(frame), plain.process(frame)
        assert (a.pose is None) == (a.pose_world is None)
        if a.pose is not None:
            found["pose"] += 1
            assert a.pose.shape == (33, 4) and a.pose.dtype == np.float32
            assert ((a.pose[:, 3] >= 0) & (a.pose[:, 3] <= 1)).all()  # visibility
            assert a.pose_world.shape == (33, 4) and a.pose_world.dtype == np.float32
            assert np.array_equal(a.pose_world[:, 3], a.pose[:, 3])
            hips = a.pose_world[23:25, :3].mean(axis=0)  # the origin, in metres
            assert np.abs(hips).max() < 0.05
        if a.face is not None:
            found["face"] += 1
            assert a.face.shape == (478, 3)
        if b.face is not None:
            assert b.face.shape == (468, 3)
        for hand in (a.left_hand, a.right_hand):
            assert hand is None or hand.shape == (21, 3)
    assert found["pose"] == len(frames) and found["face"] > 0


def test_segment_background_is_the_cli_keypoint_branch(cli_python_rule):
    clip = CLIPS[0]
    frames = sampled_frames(clip)
    import cv2
    holistic = signprep.Holistic(segment_background=True)
    with np.load(cli_python_rule / f"{clip.stem}.npz") as npz:
        x = npz["X"].reshape(len(frames), 78, 2)
        mask = npz["mask"]
        blocks = {key: npz[key] for key in ("pose", "pose_world", "right_hand", "face")}
    for t, frame in enumerate(frames):
        result = holistic.process(cv2.resize(frame, (256, 256), interpolation=cv2.INTER_AREA))
        if result.pose is not None:
            shown = mask[t, :25]
            assert np.array_equal(np.clip(result.pose[:25, :2], 0, 1)[shown], x[t, :25][shown])
        # --keypoints full's blocks are the same per-frame results, bit for bit.
        for key, block in blocks.items():
            ours = getattr(result, key)
            if ours is None:
                assert np.isnan(block[t]).all(), (key, t)
            else:
                assert np.array_equal(ours[:, :block.shape[2]], block[t]), (key, t)


def test_static_image_mode_forgets_between_frames():
    frames = sampled_frames(CLIPS[2])[:6]
    static = signprep.Holistic(static_image_mode=True)
    fresh = [signprep.Holistic().process(frame) for frame in frames]  # one frame per object
    for frame, alone in zip(frames, fresh):
        result = static.process(frame)
        for block in ("pose", "left_hand", "right_hand", "face"):
            a, b = getattr(result, block), getattr(alone, block)
            assert (a is None) == (b is None)
            if a is not None:
                assert np.array_equal(a, b)


def test_model_complexity_picks_the_network():
    # Their agreement with MediaPipe at each complexity is docs/AGREEMENT.md's
    # business; here: each loads, finds the person, and is another network.
    frame = sampled_frames(CLIPS[2])[5]
    poses = [signprep.Holistic(model_complexity=c).process(frame).pose for c in (0, 1, 2)]
    assert all(p is not None for p in poses)
    for pose in (poses[0], poses[2]):
        assert not np.array_equal(pose, poses[1])
        # The same shoulders: the networks differ by up to 0.06 of the frame on
        # the samples; their shoulders lie 0.3 apart, so 0.1 still tells them apart.
        assert np.abs(pose[11:13, :2] - poses[1][11:13, :2]).max() < 0.1


def test_the_drop_in_exposes_mediapipes_names():
    holistic = signprep.solutions.holistic
    assert holistic.PoseLandmark.LEFT_WRIST == 15 and holistic.HandLandmark.INDEX_FINGER_TIP == 8
    frame = sampled_frames(CLIPS[2])[3]
    with holistic.Holistic(static_image_mode=True) as model:
        results = model.process(frame)
    pose = results.pose_landmarks
    assert len(pose.landmark) == 33 and pose.landmark[0].HasField("visibility")
    wrist = pose.landmark[holistic.PoseLandmark.LEFT_WRIST]
    assert wrist.x == pytest.approx(float(pose.array[15, 0]))
    assert 0 <= wrist.visibility <= 1
    world = results.pose_world_landmarks
    assert repr(world) == "LandmarkList(33 landmarks)"
    assert world.landmark[15].visibility == wrist.visibility
    assert results.face_landmarks is None or len(results.face_landmarks.landmark) == 468
