"""litsim_dask on a LocalCluster of 2 workers: the same sweep.csv as a single-machine sweep,
and no point lost when a worker dies mid-sweep. Needs the debug build (`swift build`)."""

import os
import shutil
import signal
import subprocess
import tempfile
import unittest
from pathlib import Path

from distributed import Client, LocalCluster

from litsim_dask import run_sweep

ROOT = Path(__file__).resolve().parents[3]
LITSIM = os.environ.get("LITSIM", str(ROOT / ".build" / "debug" / "litsim"))
SCENARIO = ROOT / "Tests" / "LitSimCLITests" / "Fixtures" / "sweep-2x3x4.yaml"


class LocalClusterTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.mkdtemp(prefix="litsim-dask-")
        single = os.path.join(cls.scratch, "single")
        done = subprocess.run([LITSIM, "sweep", str(SCENARIO), "--jobs", "2", "--out", single], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
        cls.expected = Path(single, "sweep.csv").read_bytes()
        cls.cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        cls.client = Client(cls.cluster)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.cluster.close()
        shutil.rmtree(cls.scratch, ignore_errors=True)

    def test_gives_the_single_machine_sweep(self):
        out = os.path.join(self.scratch, "dask")
        table = run_sweep(str(SCENARIO), out, client=self.client, litsim=LITSIM, progress=False)
        self.assertEqual(Path(out, "sweep.csv").read_bytes(), self.expected)
        self.assertEqual(len(table), 24)
        self.assertEqual(sorted(table.columns[:4]), sorted(["point", "network.nodes", "network.threshold", "seed"]))

    def test_a_worker_killed_mid_sweep_loses_no_point(self):
        out = os.path.join(self.scratch, "killed")
        killed = []

        def kill_one(done, total):
            # After the third point, one worker process dies; its nanny starts another and Dask
            # reschedules what it held.
            # Only a worker with a task in flight: that task must not be lost.
            if done >= 3 and not killed:
                busy = sorted(address for address, keys in self.client.processing().items() if keys)
                if not busy:
                    return
                victim = busy[0]
                pid = self.client.run(os.getpid, workers=[victim])[victim]
                killed.append(victim)
                os.kill(pid, signal.SIGKILL)

        table = run_sweep(str(SCENARIO), out, client=self.client, litsim=LITSIM, progress=False, on_point=kill_one)
        self.assertEqual(len(killed), 1)
        self.assertEqual(len(table), 24)
        self.assertEqual(Path(out, "sweep.csv").read_bytes(), self.expected)

    def test_a_finished_point_is_not_run_again(self):
        out = os.path.join(self.scratch, "resume")
        run_sweep(str(SCENARIO), out, client=self.client, litsim=LITSIM, progress=False)
        calls = []
        run_sweep(str(SCENARIO), out, client=self.client, litsim=LITSIM, progress=False, on_point=lambda done, total: calls.append(done))
        self.assertEqual(calls, [])
        self.assertEqual(Path(out, "sweep.csv").read_bytes(), self.expected)


if __name__ == "__main__":
    unittest.main()
