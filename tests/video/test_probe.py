"""`signprep probe` against ffprobe (an independent reading of the same files):
upright resolution, rotation, decoded frame count, and sampled timestamps
recomputed here from ffprobe's frame times with the sampling rule."""
import itertools
import json
import os
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import video_fixtures  # noqa: E402

SIGNPREP = os.environ["SIGNPREP"]
ROUND_TRIP = ["sample.mp4", "rot90.mp4", "rot180.mp4", "rot270.mov", "UPPER.MOV", "vfr.mkv",
              "fps50.mp4", "mpeg4.avi", "vp9.webm", "cut_in_half.mp4"]


def probe(path, fps, rule="on-slot"):
    out = subprocess.run([SIGNPREP, "probe", "--json", "--target-fps", str(fps), "--sampling", rule,
                          str(path)], capture_output=True, text=True)
    return out.returncode, json.loads(out.stdout)[0], out.stderr


def ffprobe(path):
    """Stream facts and each decoded frame's best-effort timestamp, as ffprobe sees them."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_streams", "-show_frames",
         "-show_entries", "stream=width,height,time_base:stream_side_data=rotation:"
         "frame=best_effort_timestamp", "-of", "json", str(path)],
        capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def expected_timestamps(frame_ms, fps, rule="on-slot"):
    """The sampling rule: keep a frame when its time reaches the next slot, then
    advance the slot by one period. on-slot: within 0.001 ms of the slot
    counts; python: multi_preprocess.py's arithmetic, the slot summed in
    seconds and compared as is. Under both, a frame whose whole millisecond is
    not after the last kept one's is skipped (vfr.mkv's decoder repeats some
    frame times), so that timestamps_ms strictly increases."""
    kept, slot_s = [], 0.0
    for t in frame_ms:
        reached = t + 1e-3 >= slot_s * 1000.0 if rule == "on-slot" else not t < slot_s * 1000.0
        if reached and not (kept and int(t) <= kept[-1]):
            kept.append(int(t))
            slot_s += 1.0 / fps
    return kept


class ProbeAgreesWithFfprobe(video_fixtures.FixtureTestCase):
    def test_every_fixture(self):
        for name in ROUND_TRIP:
            with self.subTest(name):
                ref = ffprobe(self.files[name])
                stream = ref["streams"][0]
                rotation = int(float(next((d["rotation"] for d in stream.get("side_data_list", [])
                                           if "rotation" in d), 0)))
                sideways = rotation % 180 != 0
                want_size = ((stream["height"], stream["width"]) if sideways
                             else (stream["width"], stream["height"]))
                num, den = map(int, stream["time_base"].split("/"))
                pts = [f["best_effort_timestamp"] for f in ref["frames"]]
                frame_ms = [(p - pts[0]) * (num / den) * 1000.0 for p in pts]
                for fps, rule in itertools.product((15, 30, 7.5, 29.97), ("on-slot", "python")):
                    code, got, err = probe(self.files[name], fps, rule)
                    self.assertEqual(code, 0, err)
                    self.assertEqual((got["width"], got["height"]), want_size)
                    self.assertEqual(got["rotation"] % 180, abs(rotation) % 180)
                    self.assertEqual(got["frames_decoded"], len(pts))
                    self.assertEqual(got["sampling"], rule)
                    self.assertEqual(got["timestamps_ms"],
                                     expected_timestamps(frame_ms, fps, rule))

    def test_python_rule_drops_frames_on_a_slot_that_on_slot_keeps(self):
        # fps50.mp4 at 30: frames every 20 ms meet a slot every 100 ms; from
        # 1.2 s the Python tool's float slot lands just after them.
        _, on_slot, _ = probe(self.files["fps50.mp4"], 30, "on-slot")
        _, python, _ = probe(self.files["fps50.mp4"], 30, "python")
        self.assertIn(1200, on_slot["timestamps_ms"])
        self.assertNotIn(1200, python["timestamps_ms"])
        self.assertIn(1220, python["timestamps_ms"])
        before = [t for t in on_slot["timestamps_ms"] if t < 1200]
        self.assertEqual(before, [t for t in python["timestamps_ms"] if t < 1200])

    def test_thirty_fps_sampled_at_thirty_keeps_every_frame(self):
        # 29.92 fps source: every frame lands on or after its 30 fps slot.
        code, got, _ = probe(self.files["sample.mp4"], 30)
        self.assertEqual(code, 0)
        self.assertEqual(len(got["timestamps_ms"]), got["frames_decoded"])
        self.assertEqual(got["timestamps_ms"][:4], [0, 33, 66, 100])

    def test_variable_frame_rate_follows_timestamps_not_counts(self):
        code, got, _ = probe(self.files["vfr.mkv"], 10)
        self.assertEqual(code, 0)
        steps = [b - a for a, b in zip(got["timestamps_ms"], got["timestamps_ms"][1:])]
        self.assertTrue(any(s > 150 for s in steps), steps)  # the 200 ms hole shows

    def test_repeated_timestamps_keep_the_first_frame(self):
        # signprep validate needs strictly increasing timestamps_ms (issue 21):
        # at 30 fps the lagging slot would take each repeat.
        frames = [f["best_effort_timestamp"] for f in
                  ffprobe(self.files["repeated_pts.mkv"])["frames"]]
        self.assertEqual(frames[:4], [0, 0, 100, 100])  # the fixture repeats them (1 ms base)
        for rule in ("on-slot", "python"):
            code, got, _ = probe(self.files["repeated_pts.mkv"], 30, rule)
            self.assertEqual(code, 0)
            self.assertEqual(got["timestamps_ms"], sorted(set(frames)), rule)

    def test_rotation_is_reported_clockwise(self):
        self.assertEqual(probe(self.files["rot180.mp4"], 15)[1]["rotation"], 180)
        self.assertEqual(probe(self.files["sample.mp4"], 15)[1]["rotation"], 0)

    def test_cut_file_keeps_its_frames_and_says_so(self):
        code, got, _ = probe(self.files["cut_in_half.mp4"], 15)
        self.assertEqual(code, 0)
        self.assertGreater(got["frames_decoded"], 5)
        self.assertLess(got["frames_decoded"], 58)
        self.assertIn("the file ends early (cut short or unreadable; its index lists ",
                      got["warning"])
        self.assertIn(f"; {got['frames_decoded']} frames decoded in all, ", got["warning"])

    def test_damage_in_the_middle_is_told_as_it_is(self):
        # Issue 21, item 5: decoding goes on after damaged data, so the
        # warning must not say only the frames before it were kept, and its
        # count is the one meta records (frames_decoded).
        code, got, _ = probe(self.files["damaged_middle.mp4"], 15)
        self.assertEqual(code, 0)
        warning = got["warning"]
        self.assertRegex(warning, r"^\d+ damaged packets? skipped")
        self.assertNotIn("ends early", warning)
        before = int(warning.split("came after frame ")[1].split(";")[0])
        after = int(warning.split(" of them after it")[0].rsplit(", ", 1)[1])
        self.assertIn(f"; {got['frames_decoded']} frames decoded in all, ", warning)
        self.assertEqual(before + after, got["frames_decoded"])
        self.assertGreater(after, 0)


class BadInputs(video_fixtures.FixtureTestCase):
    def test_each_gives_a_clear_error_naming_the_file(self):
        reasons = {
            "empty.mp4": "empty file",
            "text.mp4": "cannot open as a video",
            "index_lost.mp4": "cannot open as a video",
            "audio_only.mp4": "no video stream",
            "no_decodable_frame.mp4": "no video frame could be decoded",
        }
        for name, reason in reasons.items():
            with self.subTest(name):
                out = subprocess.run([SIGNPREP, "probe", str(self.files[name])],
                                     capture_output=True, text=True)
                self.assertEqual(out.returncode, 3, out.stderr)  # nothing could be probed
                self.assertIn(str(self.files[name]), out.stderr)
                self.assertIn(reason, out.stderr)

    def test_one_bad_file_does_not_stop_the_others(self):
        out = subprocess.run([SIGNPREP, "probe", "--json", str(self.files["text.mp4"]),
                              str(self.files["sample.mp4"])], capture_output=True, text=True)
        self.assertEqual(out.returncode, 1)  # some failed
        results = json.loads(out.stdout)
        self.assertIn("error", results[0])
        self.assertEqual(results[1]["frames_decoded"], 58)


if __name__ == "__main__":
    unittest.main()
