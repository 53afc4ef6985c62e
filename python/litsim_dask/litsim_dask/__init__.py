"""Run LitSim sweeps on a Dask cluster.

    from litsim_dask import run_sweep
    table = run_sweep("Scenarios/sweep-n-threshold.yaml", "results/sweep")          # a LocalCluster
    table = run_sweep("sweep.yaml", "results/sweep", client=Client("tcp://scheduler:8786"))

Each point of the scenario's `sweep:` block is one task: the worker runs the `litsim` binary on
that point alone and sends its folder back, so workers need the binary but no shared disk.
The points are merged by `litsim merge` into `<out>/sweep.csv` and `sweep.html`, and returned
as a pandas DataFrame.
"""

from .runner import SweepError, plan, run_sweep

__all__ = ["SweepError", "plan", "run_sweep"]
