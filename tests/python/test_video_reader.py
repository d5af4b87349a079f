"""signprep.VideoReader: the frames and times the command line keeps, upright,
with the stream's properties."""
import numpy as np
import pytest

import signprep
from conftest import CLIPS, ROOT

ROTATED = ROOT / "tests" / "data" / "videos" / "wave_hevc10_rot90_540x720.mp4"


@pytest.mark.parametrize("clip", CLIPS, ids=lambda c: c.stem)
def test_sampled_times_are_the_npz_times(clip, cli_keypoints):
    times = [t for t, _ in signprep.VideoReader(clip, target_fps=15)]
    with np.load(cli_keypoints / f"{clip.stem}.npz") as npz:
        assert times == npz["timestamps_ms"].tolist()


def test_every_frame_without_a_target_rate():
    with signprep.VideoReader(CLIPS[0]) as video:
        frames = list(video)
        assert len(frames) == video.frames_decoded
        assert abs(len(frames) - video.frame_estimate) <= 1
        assert video.damage is None
        width, height = video.size
    times = [t for t, _ in frames]
    assert times[0] == 0 and times == sorted(times)
    for _, rgb in frames:
        assert rgb.dtype == np.uint8 and rgb.shape == (height, width, 3)


def test_frames_are_upright():
    with signprep.VideoReader(ROTATED, target_fps=1) as video:
        # Stored 720x540 with a 90-degree display matrix: turned to 540x720.
        assert video.rotation in (90, 270) and video.size == (540, 720)
        _, rgb = next(iter(video))
    assert rgb.shape == (720, 540, 3)


def test_properties():
    video = signprep.VideoReader(CLIPS[0])
    assert video.codec == "h264" and "mp4" in video.container
    assert video.fps > 0 and video.duration_s > 0


def test_closed_reader_refuses():
    video = signprep.VideoReader(CLIPS[0])
    video.close()
    with pytest.raises(ValueError, match="closed"):
        next(video)
