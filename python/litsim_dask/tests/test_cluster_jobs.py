"""The Slurm script and the Kubernetes manifest `litsim sweep --emit` writes: the script's
command run locally for every array index and merged gives the single-machine sweep.csv; the
manifest validates against the Kubernetes schema (where kubernetes-validate is installed)."""

import os
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LITSIM = os.environ.get("LITSIM", str(ROOT / ".build" / "debug" / "litsim"))
SCENARIO = ROOT / "Tests" / "LitSimCLITests" / "Fixtures" / "sweep-2x3x4.yaml"


def litsim(*arguments, cwd=None):
    done = subprocess.run([LITSIM, *arguments], capture_output=True, text=True, cwd=cwd)
    if done.returncode != 0:
        raise AssertionError(f"litsim {' '.join(arguments)} exited {done.returncode}: {done.stderr}")
    return done.stdout


class ClusterJobTests(unittest.TestCase):
    def setUp(self):
        self.scratch = tempfile.mkdtemp(prefix="litsim-jobs-")
        shutil.copy(SCENARIO, os.path.join(self.scratch, "sweep.yaml"))

    def tearDown(self):
        shutil.rmtree(self.scratch, ignore_errors=True)

    def test_the_slurm_script_run_for_each_index_merges_to_the_single_machine_sweep(self):
        script = litsim("sweep", "sweep.yaml", "--emit", "slurm", "--shards", "2", "--out", "results", cwd=self.scratch)
        self.assertIn("#SBATCH --array=0-1", script)
        commands = [line for line in script.splitlines() if line.startswith("litsim ")]
        self.assertEqual(len(commands), 1)
        for index in ("0", "1"):
            # What the array task runs, with the variable Slurm sets and this build's litsim.
            environment = dict(os.environ, SLURM_ARRAY_TASK_ID=index)
            line = LITSIM + commands[0][len("litsim"):]
            done = subprocess.run(["bash", "-euo", "pipefail", "-c", line], cwd=self.scratch, env=environment, capture_output=True, text=True)
            self.assertEqual(done.returncode, 0, done.stderr)
        litsim("merge", "results", cwd=self.scratch)
        litsim("sweep", "sweep.yaml", "--out", "single", cwd=self.scratch)
        self.assertEqual(Path(self.scratch, "results", "sweep.csv").read_bytes(), Path(self.scratch, "single", "sweep.csv").read_bytes())

    def test_the_kubernetes_manifest_validates(self):
        try:
            import kubernetes_validate
        except ImportError:
            self.skipTest("kubernetes-validate is not installed (pip install kubernetes-validate)")
        manifest = Path(self.scratch, "job.yaml")
        manifest.write_text(litsim("sweep", "sweep.yaml", "--emit", "k8s", "--out", "results", cwd=self.scratch))
        done = subprocess.run([shutil.which("kubernetes-validate") or "kubernetes-validate", "--strict", str(manifest)], capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertIn("passed", done.stdout + done.stderr)


if __name__ == "__main__":
    unittest.main()
