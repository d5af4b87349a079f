"""Video fixtures derived from the bundled sample with ffmpeg, so that the tests
cover rotation, variable frame rate, other containers and codecs, and damaged
files without committing more clips. make_fixtures(dir) writes them once."""
import os
import subprocess
import tempfile
import unittest
from pathlib import Path

SAMPLE = Path(os.environ.get("SIGNPREP_SAMPLE",
                             Path(__file__).resolve().parent.parent / "samples" /
                             "wave_webcam_540x720p30.mp4"))

# name -> ffmpeg arguments after "-i SAMPLE" (small sizes keep encoding fast)
GOOD = {
    "rot90.mp4": ["-c", "copy", "-metadata:s:v:0", "rotate=90"],
    "rot180.mp4": ["-c", "copy", "-metadata:s:v:0", "rotate=180"],
    "rot270.mov": ["-c", "copy", "-metadata:s:v:0", "rotate=270"],
    "UPPER.MOV": ["-c", "copy", "-f", "mov"],
    # Irregular frame times (33 ms +- jitter, then a 200 ms hole) in Matroska's 1 ms time base.
    "vfr.mkv": ["-vf", "scale=136:180,setpts='(N*33+mod(N*7,13)+if(gte(N,30),200,0))/1000/TB'",
                "-fps_mode", "passthrough", "-c:v", "libx264", "-preset", "ultrafast"],
    # 50 fps in mp4's 1/12800 time base: from 1.2 s on, the Python tool's float
    # slots fall just after frames that lie on a 30 fps slot.
    "fps50.mp4": ["-vf", "scale=136:180,fps=50", "-c:v", "libx264", "-preset", "ultrafast",
                  "-video_track_timescale", "12800"],
    # Every frame's timestamp twice (0, 0, 100, 100, ... ms), as a broken
    # muxer or an edit may leave them.
    "repeated_pts.mkv": ["-vf", "scale=136:180,fps=10,setpts='floor(N/2)/10/TB'", "-fps_mode",
                         "passthrough", "-c:v", "libx264", "-preset", "ultrafast", "-bf", "0"],
    "mpeg4.avi": ["-vf", "scale=136:180", "-c:v", "mpeg4", "-q:v", "5"],
    "vp9.webm": ["-vf", "scale=136:180", "-c:v", "libvpx-vp9", "-deadline", "realtime",
                 "-cpu-used", "8", "-b:v", "100k"],
}


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-y", *map(str, args)], check=True)


def make_fixtures(directory):
    """Writes the fixtures into `directory` and returns {name: path}."""
    directory = Path(directory)
    paths = {"sample.mp4": SAMPLE}
    for name, args in GOOD.items():
        paths[name] = directory / name
        ffmpeg("-i", SAMPLE, "-an", *args, paths[name])

    data = SAMPLE.read_bytes()
    # The sample keeps its index (moov) at the front: cutting it keeps an
    # openable file whose frames stop halfway.
    paths["cut_in_half.mp4"] = directory / "cut_in_half.mp4"
    paths["cut_in_half.mp4"].write_bytes(data[: len(data) // 2])
    # 2,000 bytes of the media data flipped halfway, in a small clip whose
    # frames are smaller than that (so a packet's framing breaks, not only
    # pixels the decoder would conceal): the decoder skips what it cannot
    # read and goes on with the frames after it.
    small = directory / "small_for_damage.mp4"
    ffmpeg("-i", SAMPLE, "-an", "-vf", "scale=136:180", "-c:v", "libx264", "-preset",
           "ultrafast", small)
    small_data = small.read_bytes()
    middle = (small_data.find(b"mdat") + len(small_data)) // 2
    flipped = bytes(b ^ 0xFF for b in small_data[middle:middle + 2000])
    paths["damaged_middle.mp4"] = directory / "damaged_middle.mp4"
    paths["damaged_middle.mp4"].write_bytes(small_data[:middle] + flipped +
                                            small_data[middle + 2000:])
    # With the index at the end, a cut file cannot be opened at all.
    moov_last = directory / "moov_last.mp4"
    ffmpeg("-i", SAMPLE, "-c", "copy", "-movflags", "-faststart", "-f", "mp4", moov_last)
    moov_data = moov_last.read_bytes()
    assert moov_data.find(b"moov") > moov_data.find(b"mdat"), "ffmpeg put moov first"
    paths["index_lost.mp4"] = directory / "index_lost.mp4"
    paths["index_lost.mp4"].write_bytes(moov_data[: len(moov_data) // 2])
    # A valid container whose coded frames are all zeros: nothing decodes.
    mdat = data.find(b"mdat")
    paths["no_decodable_frame.mp4"] = directory / "no_decodable_frame.mp4"
    paths["no_decodable_frame.mp4"].write_bytes(data[: mdat + 4] + bytes(len(data) - mdat - 4))
    paths["empty.mp4"] = directory / "empty.mp4"
    paths["empty.mp4"].write_bytes(b"")
    paths["text.mp4"] = directory / "text.mp4"
    paths["text.mp4"].write_text("this is not a video\n" * 50)
    paths["audio_only.mp4"] = directory / "audio_only.mp4"
    ffmpeg("-f", "lavfi", "-i", "sine=d=1", "-c:a", "aac", paths["audio_only.mp4"])
    return paths


class FixtureTestCase(unittest.TestCase):
    """Makes the fixtures once per test class, in a directory removed afterwards."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.files = make_fixtures(cls.tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
