"""The multi-process run (issue 7, items 1, 5 and 6): a worker killed by
SIGKILL, or one that hangs, costs only its video; a supervisor killed mid-run and resumed with
--resume ends with the files and label rows of an uninterrupted run; shards
1/3, 2/3, 3/3 cover every input once and merge-labels gives the unsharded
run's rows. Short keypoint runs on copies of the bundled sample (needs models/)."""
import csv
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

import numpy as np

SIGNPREP = os.environ["SIGNPREP"]
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "numbers_20_90_144p12.mp4"
FAST = ["--write-keypoints", "--target-fps", "2", "--id", "7", "--quiet"]
NAMES = ["a.mp4", "b.mp4", "s1/c.mp4", "s1/d.mp4", "s2/e.mp4", "s2/f.mp4"]


def signprep(*args, env=None):
    return subprocess.run([SIGNPREP, *map(str, args)], capture_output=True, text=True,
                          env=None if env is None else {**os.environ, **env})


def make_input(root, names):
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLE, root / name)
    return root


def files_under(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def label_rows(path):
    with open(path, newline="") as f:
        return sorted(tuple(row.values()) for row in csv.DictReader(f))


def processes_mentioning(path):
    """PIDs whose command line names `path` (a run's workers are forked, so
    theirs is the supervisor's)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if str(path).encode() in (entry / "cmdline").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:  # exited meanwhile
                pass
    return found


def wait_until_gone(pids, deadline):
    while any(Path(f"/proc/{pid}").exists() and not is_zombie(pid) for pid in pids):
        if time.monotonic() > deadline:
            raise AssertionError(f"processes {pids} still running")
        time.sleep(0.05)


def exited_pid():
    """A pid that named a process a moment ago and names none now."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def is_zombie(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def read_meta(npz):
    with np.load(npz) as archive:
        return json.loads(str(archive["meta"]))


def assert_same_npz(test, a, b, skip=()):
    with np.load(a) as x, np.load(b) as y:
        test.assertEqual(list(x.keys()), list(y.keys()))
        for key in set(x.keys()) - set(skip):
            np.testing.assert_array_equal(x[key], y[key], err_msg=f"{a.name}: {key}")


class LostWorker:
    """A run of six clips whose worker on s1/c.mp4 is lost (the subclass
    says how, through a test hook of signprep's workers)."""
    HOOK = {}
    ARGS = []
    REASON = ""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = Path(cls.tmp.name)
        cls.input = make_input(cls.dir / "in", NAMES)
        cls.out = cls.dir / "out"
        cls.result = signprep(cls.input, cls.out, *FAST, "--workers", "2", *cls.ARGS,
                              env=cls.HOOK)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_the_run_goes_on_and_reports_the_lost_video(self):
        self.assertEqual(self.result.returncode, 1, self.result.stderr)
        self.assertIn("s1/c.mp4: the worker processing it " + self.REASON, self.result.stderr)
        self.assertIn("5 of 6 videos written", self.result.stderr)

    def test_only_whole_files_of_the_other_videos_remain(self):
        expected = sorted({"run_report.json", "labels.csv"} |
                          {str(Path(n).with_suffix(s)) for n in NAMES if n != "s1/c.mp4"
                           for s in (".npz", ".parquet")})
        self.assertEqual(files_under(self.out), expected)  # no temporary (hidden) file either
        validate = signprep("validate", self.out)
        self.assertEqual(validate.returncode, 0, validate.stdout + validate.stderr)

    def test_the_other_videos_are_correct(self):
        # Copies of one clip, each through its own worker: identical arrays
        # (the meta names each copy).
        for name in ["b.npz", "s1/d.npz", "s2/e.npz", "s2/f.npz"]:
            assert_same_npz(self, self.out / "a.npz", self.out / name, skip=["meta"])
        with np.load(self.out / "a.npz") as npz:
            self.assertEqual(npz["X"].shape, (29, 156))
            self.assertGreater(npz["mask"].mean(), 0.5)  # the signer was tracked

    def test_labels_list_the_written_videos_once(self):
        self.assertEqual([r[0] for r in label_rows(self.out / "labels.csv")],
                         ["a.npz", "b.npz", "s1/d.npz", "s2/e.npz", "s2/f.npz"])


class WorkerDeath(LostWorker, unittest.TestCase):
    """SIGNPREP_TEST_CRASH_ON=c.mp4: the worker on c.mp4 kills itself with SIGKILL."""
    HOOK = {"SIGNPREP_TEST_CRASH_ON": "c.mp4"}
    REASON = "was killed by signal 9"


class DeathWhileLoading(unittest.TestCase):
    """Issue 21, item 6: a worker killed while it loads the models costs
    nothing (a fresh one loads them); two in a row blame the models (exit 5).
    SIGNPREP_TEST_CRASH_LOADING=DIR: each worker takes one token file out of
    DIR before loading and, if it got one, kills itself with SIGKILL."""

    def run_with_tokens(self, tokens):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            videos = make_input(tmp / "in", NAMES[:2])
            (tmp / "tokens").mkdir()
            for i in range(tokens):
                (tmp / "tokens" / f"crash-{i}").touch()
            result = signprep(videos, tmp / "out", *FAST, "--workers", "1",
                              env={"SIGNPREP_TEST_CRASH_LOADING": str(tmp / "tokens")})
            return result, files_under(tmp / "out") if (tmp / "out").exists() else []

    def test_one_death_while_loading_costs_nothing(self):
        result, files = self.run_with_tokens(1)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("a worker was killed by signal 9 (Killed)", result.stderr)
        self.assertIn("while loading the models; starting another in its place", result.stderr)
        self.assertIn("2 of 2 videos written", result.stderr)
        self.assertIn("a.npz", files)

    def test_two_deaths_in_a_row_blame_the_models(self):
        result, files = self.run_with_tokens(2)
        self.assertEqual(result.returncode, 5, result.stderr)
        self.assertIn("while loading the models, as did the one before it in its place",
                      result.stderr)
        self.assertEqual(files, [])


class StalledWorker(LostWorker, unittest.TestCase):
    """SIGNPREP_TEST_HANG_ON=c.mp4: the worker on c.mp4 stops for good, deaf
    to SIGTERM; --stall-timeout 2 has the supervisor kill it."""
    HOOK = {"SIGNPREP_TEST_HANG_ON": "c.mp4"}
    ARGS = ["--stall-timeout", "2"]
    REASON = "made no progress for 2.0 s and was killed"


class ClipOutOfMemory(LostWorker, unittest.TestCase):
    """SIGNPREP_TEST_BAD_ALLOC_ON=c.mp4: an allocation fails (std::bad_alloc)
    in the clip c.mp4; the clip fails with that reason, its worker and the run
    go on (issue 21: it ended the run with "internal error")."""
    HOOK = {"SIGNPREP_TEST_BAD_ALLOC_ON": "c.mp4"}

    def test_the_run_goes_on_and_reports_the_lost_video(self):
        self.assertEqual(self.result.returncode, 1, self.result.stderr)
        self.assertIn("s1/c.mp4: out of memory (an allocation failed)", self.result.stderr)
        self.assertIn("5 of 6 videos written", self.result.stderr)
        self.assertNotIn("internal error", self.result.stderr)
        self.assertNotIn("was killed", self.result.stderr)


class KilledSupervisorResumed(unittest.TestCase):
    """Three runs of six clips at 10 fps: its own ctest entry, left out of
    the sanitizer pass (the cheaper --resume tests below run there)."""

    def test_resume_ends_as_an_uninterrupted_run(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            videos = make_input(tmp / "in", NAMES)
            # 10 fps: each clip takes a few seconds, so the kill lands mid-run.
            args = ["--write-keypoints", "--target-fps", "10", "--id", "7", "--quiet",
                    "--workers", "2"]
            whole = signprep(videos, tmp / "whole", *args)
            self.assertEqual(whole.returncode, 0, whole.stderr)

            out = tmp / "out"
            process = subprocess.Popen([SIGNPREP, videos, out, *args],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 300
            while not list(out.rglob("*.npz")) and time.monotonic() < deadline:
                time.sleep(0.05)
            process.send_signal(signal.SIGKILL)
            process.wait()
            # The orphaned workers get SIGTERM and stop at their next frame,
            # or after writing a clip they were finishing: count the files
            # once they are gone (a fixed wait raced them on a loaded machine).
            wait_until_gone(processes_mentioning(out), deadline=time.monotonic() + 60)
            written = list(out.rglob("*.npz"))
            self.assertGreaterEqual(len(written), 1)
            self.assertLess(len(written), len(NAMES), "the kill came after the last video")
            # Killed outright, the supervisor leaves its run lock (naming its
            # pid, now gone: the resume takes it over) and may leave the report
            # it was rewriting (the resume removes it); the workers, stopped
            # by SIGTERM, leave none.
            supervisors = f".tmp.{process.pid}."
            self.assertIn(f"pid {process.pid} ", (out / ".signprep.lock").read_text())
            left = [str(p.relative_to(out)) for p in out.rglob(".*")
                    if not (p.parent == out and (supervisors in p.name or
                                                 p.name == ".signprep.lock"))]
            self.assertEqual(left, [], "an orphaned worker left a temporary file")
            # Always one for the resume to clean up, whatever the kill hit.
            (out / f".run_report.json.tmp.{process.pid}.1").write_text("{")
            # The report is as it started; the journal lists the videos the
            # supervisor saw finished (a worker may have finished one more).
            with open(out / "run_report.json") as f:
                self.assertEqual({v["status"] for v in json.load(f)["videos"]}, {"pending"})
            lines = (out / "run_report.journal").read_text().splitlines()
            self.assertEqual(json.loads(lines[0])["tool"], "signprep")
            journaled = [json.loads(line) for line in lines[1:]]
            self.assertEqual({v["status"] for v in journaled}, {"ok"})
            self.assertLessEqual({v["outputs"][0] for v in journaled},
                                 {str(p.relative_to(out)) for p in written})

            # Both resumes end as the uninterrupted run: the fast one trusts
            # the journal and checks the rest in full.
            fast = tmp / "fast"
            shutil.copytree(out, fast)
            for resume, target in (("--resume", out), ("--resume-fast", fast)):
                resumed = signprep(videos, target, *args, resume)
                self.assertEqual(resumed.returncode, 0, resumed.stderr)
                self.assertIn(f"resumed:           {len(written)} ", resumed.stderr)
                self.assertEqual(files_under(target), files_under(tmp / "whole"))
                self.assertEqual(label_rows(target / "labels.csv"),
                                 label_rows(tmp / "whole" / "labels.csv"))
                for npz in (tmp / "whole").rglob("*.npz"):
                    assert_same_npz(self, npz, target / npz.relative_to(tmp / "whole"))


class Resume(unittest.TestCase):
    def test_resume_runs_again_what_other_settings_made(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            videos = make_input(tmp / "in", ["a.mp4"])
            self.assertEqual(signprep(videos, tmp / "out", *FAST).returncode, 0)
            same = signprep(videos, tmp / "out", *FAST, "--resume")
            self.assertIn("resumed:           1 ", same.stderr)
            other = signprep(videos, tmp / "out", *FAST, "--resume", "--max-gap", "3")
            self.assertEqual(other.returncode, 0, other.stderr)
            self.assertNotIn("resumed:", other.stderr)
            # A torn .npz is not a finished one either.
            npz = tmp / "out" / "a.npz"
            npz.write_bytes(npz.read_bytes()[:1000])
            torn = signprep(videos, tmp / "out", *FAST, "--resume", "--max-gap", "3")
            self.assertNotIn("resumed:", torn.stderr)
            self.assertEqual(signprep("validate", tmp / "out").returncode, 0)

    def test_resume_fast_trusts_the_report_and_the_file_sizes(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            videos = make_input(tmp / "in", ["a.mp4", "b.mp4"])
            out = tmp / "out"
            self.assertEqual(signprep(videos, out, *FAST).returncode, 0)
            rows = label_rows(out / "labels.csv")
            fast = signprep(videos, out, *FAST, "--resume-fast")
            self.assertEqual(fast.returncode, 0, fast.stderr)
            self.assertIn("resumed:           2 ", fast.stderr)
            self.assertEqual(label_rows(out / "labels.csv"), rows)
            # The trade: a file damaged in place keeps its size, and only the
            # strict check opens it.
            npz = out / "a.npz"
            npz.write_bytes(bytes(npz.stat().st_size))
            self.assertIn("resumed:           2 ",
                          signprep(videos, out, *FAST, "--resume-fast").stderr)
            strict = signprep(videos, out, *FAST, "--resume")
            self.assertIn("resumed:           1 ", strict.stderr)
            # A file of another size runs again.
            parquet = out / "b.parquet"
            parquet.write_bytes(parquet.read_bytes()[:100])
            self.assertIn("resumed:           1 ",
                          signprep(videos, out, *FAST, "--resume-fast").stderr)
            self.assertEqual(signprep("validate", out).returncode, 0)

    def test_temporaries_of_killed_writers_go_and_the_rest_stay(self):
        # What a run killed outright (SIGKILL to every process) leaves: hidden
        # temporaries named for their file and their dead writer. The next
        # run removes those of the files it writes; a live writer's, and
        # those of files it does not write (another shard's), stay.
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            videos = make_input(tmp / "in", ["a.mp4", "s1/c.mp4"])
            out = tmp / "out"
            (out / "s1").mkdir(parents=True)
            dead = exited_pid()
            orphans = [out / f".run_report.json.tmp.{dead}.1", out / f".a.npz.tmp.{dead}.2",
                       out / "s1" / f".c.npz.tmp.{dead}.3", out / "s1" / f".c.parquet.tmp.{dead}.4"]
            kept = [out / "s1" / f".c.npz.tmp.{os.getpid()}.5", out / f".z.npz.tmp.{dead}.6"]
            for path in orphans + kept:
                path.write_bytes(b"partial")
            result = signprep(videos, out, *FAST, "--resume")
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual([p for p in orphans if p.exists()], [])
            self.assertEqual([p for p in kept if not p.exists()], [])

    def test_resume_tells_the_sampling_rules_apart(self):
        # The default rule writes no "sampling" key (meta as before it
        # existed); the Python rule writes one, and each resumes only itself.
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            videos = make_input(tmp / "in", ["a.mp4"])
            self.assertEqual(signprep(videos, tmp / "out", *FAST).returncode, 0)
            self.assertNotIn("sampling", read_meta(tmp / "out" / "a.npz"))
            python = signprep(videos, tmp / "out", *FAST, "--resume", "--sampling", "python")
            self.assertEqual(python.returncode, 0, python.stderr)
            self.assertNotIn("resumed:", python.stderr)
            self.assertEqual(read_meta(tmp / "out" / "a.npz")["sampling"], "python")
            again = signprep(videos, tmp / "out", *FAST, "--resume", "--sampling", "python")
            self.assertIn("resumed:           1 ", again.stderr)
            default = signprep(videos, tmp / "out", *FAST, "--resume")
            self.assertNotIn("resumed:", default.stderr)


class OneRunAtATime(unittest.TestCase):
    """Issue 21, item 2: a run locks OUT (per shard) and a second run stops,
    naming the holder; a lock left by a dead run never blocks the next one.
    Locks are planted as another run would leave them (output/run_lock.h)."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)
        self.videos = make_input(self.dir / "in", NAMES[:2])
        self.out = self.dir / "out"
        self.out.mkdir()

    def tearDown(self):
        self.tmp.cleanup()

    def plant(self, name, pid, host, age_seconds=0):
        lock = self.out / name
        lock.write_text(f"pid {pid} host {host} started 2026-12-06T10:00:00Z\n")
        stamp = time.time() - age_seconds
        os.utime(lock, (stamp, stamp))
        return lock

    def test_a_live_run_holding_out_stops_the_second_naming_it(self):
        host = os.uname().nodename
        lock = self.plant(".signprep.lock", os.getpid(), host)
        result = signprep(self.videos, self.out, *FAST)
        self.assertEqual(result.returncode, 6, result.stderr)
        self.assertIn(f"another signprep run is writing here (pid {os.getpid()} on {host}, "
                      "started 2026-12-06T10:00:00Z", result.stderr)
        self.assertEqual(files_under(self.out), [".signprep.lock"])  # nothing written
        self.assertTrue(lock.exists())  # and the holder's lock left alone

    def test_a_run_on_another_host_holds_until_it_stops_refreshing(self):
        self.plant(".signprep.lock", 1, "some-other-node", age_seconds=60)
        self.assertEqual(signprep(self.videos, self.out, *FAST).returncode, 6)
        self.plant(".signprep.lock", 1, "some-other-node", age_seconds=301)
        result = signprep(self.videos, self.out, *FAST)
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_a_dead_runs_lock_is_taken_over_and_removed_at_the_end(self):
        self.plant(".signprep.lock", exited_pid(), os.uname().nodename)
        result = signprep(self.videos, self.out, *FAST)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(files_under(self.out), ["a.npz", "a.parquet", "b.npz", "b.parquet",
                                                 "labels.csv", "run_report.json"])

    def test_shards_lock_apart(self):
        self.plant(".signprep.shard-1-of-2.lock", os.getpid(), os.uname().nodename)
        self.assertEqual(signprep(self.videos, self.out, *FAST, "--shard", "1/2").returncode, 6)
        result = signprep(self.videos, self.out, *FAST, "--shard", "2/2")
        self.assertEqual(result.returncode, 0, result.stderr)


class Shards(unittest.TestCase):
    def test_three_shards_cover_every_input_once_and_merge_as_one_run(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            videos = make_input(tmp / "in", NAMES)
            whole = signprep(videos, tmp / "whole", *FAST)
            self.assertEqual(whole.returncode, 0, whole.stderr)
            out = tmp / "out"
            ran = []
            for k in (1, 2, 3):
                result = signprep(videos, out, *FAST, "--shard", f"{k}/3")
                self.assertEqual(result.returncode, 0, result.stderr)
                ran += [r[0] for r in label_rows(out / f"labels.shard-{k}-of-3.csv")]
            self.assertEqual(sorted(ran), sorted(str(Path(n).with_suffix(".npz")) for n in NAMES))
            merged = signprep("merge-labels", out)
            self.assertEqual(merged.returncode, 0, merged.stderr)
            self.assertEqual(label_rows(out / "labels.csv"),
                             label_rows(tmp / "whole" / "labels.csv"))

    def test_a_slurm_array_task_is_its_shard(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            videos = make_input(tmp / "in", NAMES)
            flag = signprep(videos, tmp / "flag", *FAST, "--shard", "2/3")
            # An array declared --array=4-6: task 5 is the second of three.
            slurm = signprep(videos, tmp / "slurm", *FAST,
                             env={"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "4",
                                  "SLURM_ARRAY_TASK_COUNT": "3"})
            self.assertEqual(flag.returncode, 0, flag.stderr)
            self.assertEqual(slurm.returncode, 0, slurm.stderr)
            self.assertIn("shard 2/3", slurm.stderr)
            self.assertEqual(files_under(tmp / "flag"), files_under(tmp / "slurm"))

    def test_a_kubernetes_indexed_jobs_pod_is_its_shard(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            videos = make_input(tmp / "in", NAMES)
            flag = signprep(videos, tmp / "flag", *FAST, "--shard", "2/3")
            # The pod of index 1 of a Job of 3 completions.
            pod = signprep(videos, tmp / "pod", *FAST, "--shard-count", "3",
                           env={"JOB_COMPLETION_INDEX": "1"})
            self.assertEqual(flag.returncode, 0, flag.stderr)
            self.assertEqual(pod.returncode, 0, pod.stderr)
            self.assertIn("Kubernetes indexed Job: shard 2/3", pod.stderr)
            self.assertEqual(files_under(tmp / "flag"), files_under(tmp / "pod"))
            # Without the count every pod would run every input: refused.
            uncounted = signprep(videos, tmp / "uncounted", *FAST,
                                 env={"JOB_COMPLETION_INDEX": "1"})
            self.assertEqual(uncounted.returncode, 2, uncounted.stderr)
            self.assertIn("--shard-count", uncounted.stderr)

    def test_merge_refuses_with_a_shard_missing(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            videos = make_input(tmp / "in", NAMES)
            signprep(videos, tmp / "out", *FAST, "--shard", "1/2")
            merged = signprep("merge-labels", tmp / "out")
            self.assertNotEqual(merged.returncode, 0)
            self.assertIn("missing for shard(s) 2 of 2", merged.stderr)


if __name__ == "__main__":
    unittest.main()
