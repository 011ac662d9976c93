"""deid.dask.assess_risk on a LocalCluster against the single-process engine (prints a table,
writes JSON).

The data: N rows (default 50,000,000) x 8 quasi-identifiers of realistic cardinality (zip5
as strings from 33,000 codes, birth date over 100 years, sex, race, ethnicity, marital
status, language, admission year; nearly every row is its own class, the case ``split_out``
is for), written once as Parquet partitions of 1,000,000 rows into a temporary folder and
deleted at the end.

Two runs, each in a fresh subprocess, on the same files:

* ``single``: ``pandas.read_parquet`` of the folder, then ``deid.assess_risk`` (numba
  kernels, both cores): read and assessment times, and the process's peak resident memory.
* ``dask``: a ``distributed.LocalCluster`` of 2 worker processes (1 thread each), then
  ``deid.dask.assess_risk(dask.dataframe.read_parquet(folder), ...)``: the reading happens
  inside the computation, so its time is read + assessment. Peak resident memory of each
  worker process (VmHWM, reset through /proc/self/clear_refs before the run) and of the
  client. Cluster start-up is reported apart.

Both report the same figures (checked: the k, class count and histogram must be equal).
The machine is shared by several sessions and has 2 cores: compare the ratios of one run.

    python benchmarks/dask_scale.py                  # 50M rows: ~10+ minutes, several GiB
    python benchmarks/dask_scale.py --quick          # 2M rows, about a minute
    python benchmarks/dask_scale.py --rows 10000000 --memory-limit 6GiB
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_OUTPUT = HERE / "results" / "dask_scale.json"
QIS = ["zip5", "birth_date", "sex", "race", "ethnicity", "marital_status", "language", "admit_year"]
ROWS_PER_FILE = 1_000_000


# ----------------------------------------------------------------------------- memory probes


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _memory_probe() -> dict:
    """Run inside a worker (client.run): its peak and current resident set, MiB."""
    return {"peak_mib": (_status_kib("VmHWM") or 0) / 1024, "rss_mib": (_status_kib("VmRSS") or 0) / 1024}


def _reset_probe() -> bool:
    return _reset_peak()


# ----------------------------------------------------------------------------- data


def write_data(folder: Path, rows: int, seed: int = 0) -> dict:
    """N synthetic rows as Parquet files of ROWS_PER_FILE rows (one chunk in memory at a time)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    zips = np.array([f"{z:05d}" for z in rng.choice(100_000, 33_000, replace=False)])  # ~US zip5 count
    t0 = time.perf_counter()
    n_files = 0
    for start in range(0, rows, ROWS_PER_FILE):
        n = min(ROWS_PER_FILE, rows - start)
        chunk_rng = np.random.default_rng([seed, start])
        frame = pd.DataFrame({
            "zip5": pd.array(zips[chunk_rng.integers(0, len(zips), n)], dtype="str"),
            "birth_date": pd.Timestamp("1925-01-01") + pd.to_timedelta(chunk_rng.integers(0, 36_500, n), unit="D"),
            "sex": pd.Categorical.from_codes(chunk_rng.integers(0, 2, n), ["F", "M"]),
            "race": pd.Categorical.from_codes(chunk_rng.integers(0, 6, n), ["W", "B", "A", "N", "P", "O"]),
            "ethnicity": pd.Categorical.from_codes(chunk_rng.integers(0, 3, n), ["H", "N", "U"]),
            "marital_status": pd.Categorical.from_codes(chunk_rng.integers(0, 6, n), ["S", "M", "D", "W", "P", "U"]),
            "language": pd.Categorical.from_codes(chunk_rng.integers(0, 20, n), [f"lang{i}" for i in range(20)]),
            "admit_year": chunk_rng.integers(2005, 2025, n).astype("int16"),
        })
        frame.to_parquet(folder / f"part-{n_files:05d}.parquet", index=False)
        n_files += 1
    size = sum(p.stat().st_size for p in folder.glob("*.parquet"))
    return {"rows": rows, "files": n_files, "bytes": size, "seconds": time.perf_counter() - t0}


# ----------------------------------------------------------------------------- the two runs


def _summary(report) -> dict:
    return {
        "n_records": report.n_records,
        "n_classes": report.n_classes,
        "k": report.k,
        "class_size_histogram": {str(s): c for s, c in report.class_size_histogram.items()},
        "prosecutor_average": report.prosecutor.average,
        "sample_uniqueness": report.sample_uniqueness,
        "dankar": report.population_uniqueness.dankar.to_dict() if report.population_uniqueness else None,
    }


def run_single(folder: str, fraction: float) -> dict:
    import pandas as pd

    from deid.risk import assess_risk

    # compile/load the kernels outside the measurement (a warm process, as in risk_speed)
    assess_risk(pd.DataFrame({"a": [1, 2, 2]}), ["a"], sampling_fraction=0.5)
    _reset_peak()
    rss0 = (_status_kib("VmRSS") or 0) / 1024
    t0 = time.perf_counter()
    frame = pd.read_parquet(folder)
    t1 = time.perf_counter()
    report = assess_risk(frame, QIS, sampling_fraction=fraction)
    t2 = time.perf_counter()
    return {
        "read_seconds": t1 - t0,
        "assess_seconds": t2 - t1,
        "total_seconds": t2 - t0,
        "frame_mib": float(frame.memory_usage(deep=True).sum()) / 2**20,
        "peak_mib": (_status_kib("VmHWM") or 0) / 1024,
        "rss_before_mib": rss0,
        "report": _summary(report),
    }


def run_dask(folder: str, fraction: float, workers: int, memory_limit: str, split_out: int | None,
             shuffle_method: str | None) -> dict:
    import dask
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    import deid.dask

    t0 = time.perf_counter()
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address="127.0.0.1:0", memory_limit=memory_limit)
    client = Client(cluster)
    # load deid and its kernels in every worker outside the measurement
    client.run(lambda: __import__("deid.dask"))
    startup = time.perf_counter() - t0
    try:
        with dask.config.set({"distributed.logging.distributed": "error"}):
            client.run(_reset_probe)
            _reset_peak()
            t1 = time.perf_counter()
            ddf = dd.read_parquet(folder)
            report = deid.dask.assess_risk(ddf, QIS, sampling_fraction=fraction, split_out=split_out,
                                           shuffle_method=shuffle_method)
            seconds = time.perf_counter() - t1
            per_worker = client.run(_memory_probe)
        return {
            "workers": workers,
            "threads_per_worker": 1,
            "memory_limit": memory_limit,
            "partitions": ddf.npartitions,
            "split_out": split_out if split_out is not None else max(1, (ddf.npartitions + 3) // 4),
            "shuffle_method": shuffle_method or "dask default (p2p)",
            "startup_seconds": startup,
            "total_seconds": seconds,
            "worker_peak_mib": sorted(v["peak_mib"] for v in per_worker.values()),
            "client_peak_mib": (_status_kib("VmHWM") or 0) / 1024,
            "report": _summary(report),
        }
    finally:
        client.close()
        cluster.close()


def _subprocess(args: list[str], timeout: float) -> dict:
    env = os.environ.copy()
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), *args], capture_output=True, text=True,
                          timeout=timeout, env=env)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:] if done.stderr.strip() else [f"exit {done.returncode}"]
        return {"error": " | ".join(tail)}
    return json.loads(done.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- report


def print_table(result: dict) -> None:
    single, dsk = result["single"], result["dask"]
    data = result["data"]
    print(f"\n{data['rows']:,} rows x {len(QIS)} quasi-identifiers, {data['files']} Parquet files "
          f"({data['bytes'] / 2**20:,.0f} MiB); load average at start {result['load_average']}")
    print(f"{'engine':<34} {'seconds':>10} {'peak MiB (per process)':>28}")
    if "error" in single:
        print(f"{'single process':<34} error: {single['error']}")
    else:
        print(f"{'single process (read + assess)':<34} {single['total_seconds']:>10.1f} {single['peak_mib']:>28,.0f}")
        print(f"{'  of which read_parquet':<34} {single['read_seconds']:>10.1f}")
        print(f"{'  of which assess_risk':<34} {single['assess_seconds']:>10.1f}")
    if "error" in dsk:
        print(f"{'dask LocalCluster':<34} error: {dsk['error']}")
    else:
        peaks = " / ".join(f"{p:,.0f}" for p in dsk["worker_peak_mib"])
        label = f"dask, {dsk['workers']} workers (read + assess)"
        print(f"{label:<34} {dsk['total_seconds']:>10.1f} {peaks:>28}")
        print(f"{'  client process':<34} {'':>10} {dsk['client_peak_mib']:>28,.0f}")
        print(f"{'  cluster start-up':<34} {dsk['startup_seconds']:>10.1f}")
    if "error" not in single and "error" not in dsk:
        print(f"dask / single time: {dsk['total_seconds'] / single['total_seconds']:.2f}x; "
              f"largest worker peak / single peak: {max(dsk['worker_peak_mib']) / single['peak_mib']:.2f}x; "
              f"same report: {result['same_report']}")
        r = single["report"]
        print(f"classes {r['n_classes']:,}, k {r['k']}, sample uniqueness {r['sample_uniqueness']:.4f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000_000)
    parser.add_argument("--quick", action="store_true", help="2,000,000 rows")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="8GiB", help="per worker (LocalCluster memory_limit)")
    parser.add_argument("--split-out", type=int, default=None, help="default: one per 4 input partitions")
    parser.add_argument("--shuffle-method", choices=["tasks", "p2p"], default=None, help="default: Dask's (p2p)")
    parser.add_argument("--sampling-fraction", type=float, default=0.01)
    parser.add_argument("--tmp", default=None, help="folder for the temporary Parquet files")
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT))
    parser.add_argument("--worker", choices=["single", "dask"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker == "single":
        print(json.dumps(run_single(args.folder, args.sampling_fraction)))
        return 0
    if args.worker == "dask":
        print(json.dumps(run_dask(args.folder, args.sampling_fraction, args.workers, args.memory_limit,
                                  args.split_out, args.shuffle_method)))
        return 0

    rows = 2_000_000 if args.quick else args.rows
    load_average = [round(x, 2) for x in os.getloadavg()]
    folder = Path(tempfile.mkdtemp(prefix="deid-dask-scale-", dir=args.tmp))
    try:
        sys.path.insert(0, str(ROOT))
        data = write_data(folder, rows)
        print(f"wrote {data['rows']:,} rows in {data['files']} files in {data['seconds']:.1f} s", flush=True)
        common = ["--folder", str(folder), "--sampling-fraction", str(args.sampling_fraction)]
        single = _subprocess(["--worker", "single", *common], timeout=7200)
        print("single process done", flush=True)
        dask_args = ["--worker", "dask", *common, "--workers", str(args.workers), "--memory-limit", args.memory_limit]
        if args.split_out is not None:
            dask_args += ["--split-out", str(args.split_out)]
        if args.shuffle_method is not None:
            dask_args += ["--shuffle-method", args.shuffle_method]
        dsk = _subprocess(dask_args, timeout=7200)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    same = "error" not in single and "error" not in dsk and single["report"] == dsk["report"]
    result = {
        "benchmark": "dask_scale",
        "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                 cwd=ROOT).stdout.strip(),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "load_average": load_average,
        "quasi_identifiers": QIS,
        "data": data,
        "single": single,
        "dask": dsk,
        "same_report": same,
    }
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)
    print(f"\nwrote {out}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
