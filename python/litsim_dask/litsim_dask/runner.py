"""One Dask task per sweep point; the results merged by `litsim merge`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, Optional, Sequence


class SweepError(RuntimeError):
    """litsim refused the scenario, a point could not be run, or the merge failed."""


def _litsim(litsim: str, *arguments: str, cwd: Optional[str] = None) -> subprocess.CompletedProcess:
    return subprocess.run([litsim, *arguments], capture_output=True, text=True, cwd=cwd)


def plan(scenario: str, *, litsim: str = "litsim", sets: Sequence[str] = (), path: Optional[str] = None) -> list[dict]:
    """The sweep's points as `litsim sweep --plan` lists them (index, id, scenario_hash,
    overrides, point, seed); the plan file is kept at `path` when one is given."""
    with tempfile.TemporaryDirectory() as scratch:
        target = path or os.path.join(scratch, "plan.jsonl")
        arguments = ["sweep", scenario, "--plan", target] + [item for value in sets for item in ("--set", value)]
        done = _litsim(litsim, *arguments)
        if done.returncode != 0:
            raise SweepError(f"litsim sweep --plan failed ({done.returncode}): {done.stderr.strip()}")
        with open(target, encoding="utf-8") as file:
            return [json.loads(line) for line in file if line.strip()]


def _run_point(litsim: str, name: str, contents: bytes, sets: Sequence[str], index: int) -> dict:
    """On a worker: runs point `index` from the scenario's bytes (`litsim sweep --point`);
    returns its folder's files (path relative to the sweep folder → bytes). The point key
    hashes the contents, not the path, so the scenario may sit anywhere on the worker; files
    the scenario names (a `nodes.cpu` cost table) must be at the same relative path there."""
    with tempfile.TemporaryDirectory(prefix="litsim-point-") as scratch:
        scenario = os.path.join(scratch, name)
        with open(scenario, "wb") as file:
            file.write(contents)
        out = os.path.join(scratch, "out")
        arguments = ["sweep", scenario, "--jobs", "1", "--out", out, "--point", str(index)]
        arguments += [item for value in sets for item in ("--set", value)]
        done = _litsim(litsim, *arguments)
        if done.returncode != 0:
            raise SweepError(f"point {index}: litsim exited {done.returncode}: {done.stderr.strip()}")
        return {str(path.relative_to(out)): path.read_bytes() for path in Path(out).rglob("*") if path.is_file()}


def _write_point(root: Path, point_id: str, files: dict) -> None:
    """Writes a point's folder beside its place, then renames it in: a reader (or `litsim
    merge`) never sees half a folder, and nothing of an earlier run of the point is left."""
    partial = Path(tempfile.mkdtemp(prefix=f".{point_id}.partial-", dir=root))
    for relative, data in sorted(files.items()):
        target = partial / Path(relative).relative_to(point_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    final = root / point_id
    if final.exists():
        shutil.rmtree(final)
    os.replace(partial, final)


def run_sweep(
    scenario: str,
    out: str,
    *,
    client=None,
    litsim: str = "litsim",
    sets: Sequence[str] = (),
    retries: int = 3,
    progress: bool = True,
    on_point: Optional[Callable[[int, int], None]] = None,
):
    """Runs every point of `scenario`'s sweep on the cluster of `client` (a LocalCluster with
    one single-threaded worker per core when None), writes the point folders under `out`,
    merges them with `litsim merge` and returns sweep.csv as a pandas DataFrame.

    Points already in `out` from the same scenario contents, options and litsim version (their
    `sweep-point.key`) are not run again. A task that fails is retried `retries` times; a
    worker that is lost mid-task has its tasks rescheduled by Dask. `on_point(done, total)` is
    called as points arrive (tests use it to kill a worker mid-sweep).
    """
    import pandas
    from distributed import Client, LocalCluster, as_completed

    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    # litsim's own plan file goes beside the points: `litsim merge` checks them against it.
    points = plan(scenario, litsim=litsim, sets=sets, path=str(root / "plan.jsonl"))
    with open(scenario, "rb") as file:
        contents = file.read()
    name = os.path.basename(scenario)

    def done_already(point: dict) -> bool:
        folder = root / point["id"]
        key = folder / "sweep-point.key"
        return (folder / "summary.json").exists() and key.exists() and key.read_text(encoding="utf-8") == point["scenario_hash"]

    pending = [point for point in points if not done_already(point)]
    own_cluster = None
    if client is None and pending:
        own_cluster = LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True)
        client = Client(own_cluster)
    try:
        if pending:
            futures = {
                client.submit(_run_point, litsim, name, contents, list(sets), point["index"], retries=retries, pure=False): point
                for point in pending
            }
            finished = len(points) - len(pending)
            try:
                for future in as_completed(futures):
                    _write_point(root, futures[future]["id"], future.result())
                    finished += 1
                    if progress:
                        print(f"\r{finished}/{len(points)} points", end="", file=sys.stderr, flush=True)
                    if on_point:
                        on_point(finished, len(points))
            except BaseException:
                client.cancel(list(futures))
                raise
            if progress:
                print(file=sys.stderr)
    finally:
        if own_cluster is not None:
            client.close()
            own_cluster.close()
    merged = _litsim(litsim, "merge", str(root))
    if merged.returncode not in (0, 1):
        raise SweepError(f"litsim merge failed ({merged.returncode}): {merged.stderr.strip()}")
    return pandas.read_csv(root / "sweep.csv")
