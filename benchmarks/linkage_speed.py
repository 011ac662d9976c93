"""Speed and memory of deid.risk.linkage_attack against pandas (prints a table, writes JSON).

Data: a synthetic auxiliary table (default 10,000,000 records: the attacker's voter list)
and a released table (default 1,000,000 records: 90% drawn from the auxiliary people, 10%
people it does not hold), on 4 quasi-identifiers: 5-digit ZIP (Arrow strings; real ZIP
codes from the ``zipcodes`` package with a skewed, Zipf-like weight, since the package holds
no population), birth date (datetime64, 1925-2014), sex and race (Arrow strings). No real
data is involved.

Cases, each in a fresh subprocess per library:

1. ``exact``: match on (zip5, birth_date, sex, race) as released.
2. ``generalized``: the released table holds ZIP3 and birth year (Safe Harbor style);
   deid gets the generalizers as ``hierarchies``; pandas generalizes the auxiliary columns
   the same way first.

The pandas equivalent is what a user would write for per-released-record match counts:
count the auxiliary records per key, ``aux.groupby(on, sort=False).size()``, then attach the
counts to the released records with ``released.merge(counts, left_on=on,
right_index=True, how="left")`` (a missing count is 0). Merging the two tables directly
would list every matching pair, which explodes with duplicate keys; counting first is the
sensible route. Both must give identical counts; the script checks.

Memory is the peak resident set during the measured call minus the resident set before it
(VmHWM reset through /proc/self/clear_refs; ru_maxrss when unavailable), compared with the
in-memory size of the two input frames (``memory_usage(deep=True)``). deid's kernels are
loaded from numba's on-disk cache by a small warm-up call first (its time is reported as
``first_call``); timings are the best of ``--repeat`` calls in each of ``--rounds``
subprocesses per library, the libraries alternating, as wall and CPU seconds (CPU time moves
less with the load of a shared machine). After its timed calls the deid worker makes one more,
instrumented call and records where the time goes (``deid_breakdown``: coding each column, the
join). The machine is shared: compare the ratios taken in one run. The JSON records the
command line (``argv``) and the run's total wall time.

Cost of a full run: about 2 minutes with ``--rounds 3`` at load average 1.6 (128 s, of
which generating and writing the 11M-row data set about 20 s and the pandas calls most of
the rest; they take 2-20 s each depending on the load); the largest process is the pandas
worker on the exact case, about 2 GiB resident at its peak (the inputs take 0.45 GiB in
memory).

    PYTHONPATH=. python benchmarks/linkage_speed.py            # 1M x 10M, 2 rounds of 2 calls
    PYTHONPATH=. python benchmarks/linkage_speed.py --quick    # 100k x 1M (writes linkage_speed_quick.json)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_OUTPUT = HERE / "results" / "linkage_speed.json"
ON = ["zip5", "birth_date", "sex", "race"]
RACES = ["White", "Black", "Asian", "AmIndian", "PacIsland", "Other"]
RACE_WEIGHTS = [0.60, 0.13, 0.06, 0.01, 0.005, 0.195]


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


class _Measure:
    """Time one call and the resident memory it adds at its peak."""

    def __enter__(self):
        self.peak_resettable = _reset_peak()
        self.rss_before_kib = _status_kib("VmRSS") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.t0 = time.perf_counter()
        self.c0 = time.process_time()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        self.cpu_seconds = time.process_time() - self.c0
        hwm = _status_kib("VmHWM")
        self.peak_kib = hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.extra_mib = max(self.peak_kib - self.rss_before_kib, 0) / 1024
        return False


# ----------------------------------------------------------------------------- data


def make_people(n: int, rng):
    """n synthetic people: zip5, birth_date, sex, race."""
    import numpy as np
    import pandas as pd
    import zipcodes

    zips = np.array(sorted({z["zip_code"] for z in zipcodes.list_all()}))
    weights = 1.0 / (1.0 + rng.permutation(len(zips))) ** 0.8  # skewed: a few dense ZIPs, a long tail
    weights /= weights.sum()
    days = rng.integers(0, 90 * 365, n)
    return pd.DataFrame({
        "zip5": pd.Series(pd.Categorical.from_codes(rng.choice(len(zips), n, p=weights), zips)).astype("str"),
        "birth_date": (np.datetime64("1925-01-01", "D") + days).astype("datetime64[us]"),
        "sex": pd.Series(pd.Categorical.from_codes(rng.integers(0, 2, n), ["F", "M"])).astype("str"),
        "race": pd.Series(pd.Categorical.from_codes(rng.choice(len(RACES), n, p=RACE_WEIGHTS), RACES)).astype("str"),
    })


def make_data(n_released: int, n_auxiliary: int, directory: Path, seed: int = 0) -> dict:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    auxiliary = make_people(n_auxiliary, rng)
    from_aux = int(round(n_released * 0.9))
    picked = rng.choice(n_auxiliary, from_aux, replace=False)
    released = pd.concat([auxiliary.iloc[picked], make_people(n_released - from_aux, rng)], ignore_index=True)
    released = released.iloc[rng.permutation(n_released)].reset_index(drop=True)
    generalized = pd.DataFrame({
        "zip5": released["zip5"].str[:3],
        "birth_date": released["birth_date"].dt.year,
        "sex": released["sex"],
        "race": released["race"],
    })
    auxiliary.to_parquet(directory / "auxiliary.parquet")
    released.to_parquet(directory / "released.parquet")
    generalized.to_parquet(directory / "released_generalized.parquet")
    return {"n_released": n_released, "n_auxiliary": n_auxiliary, "released_from_auxiliary": from_aux}


# ----------------------------------------------------------------------------- workers (subprocess side)


def _zip3(zips):
    return zips.str[:3]


def _year(dates):
    return dates.dt.year


def _worker(library: str, case: str, directory: Path, repeat: int) -> dict:
    import numpy as np
    import pandas as pd

    auxiliary = pd.read_parquet(directory / "auxiliary.parquet")
    released = pd.read_parquet(directory / ("released.parquet" if case == "exact" else "released_generalized.parquet"))
    input_mib = (auxiliary.memory_usage(deep=True).sum() + released.memory_usage(deep=True).sum()) / 2**20
    hierarchies = {"zip5": _zip3, "birth_date": _year} if case == "generalized" else None
    out = {"library": library, "case": case, "input_mib": input_mib}

    if library == "deid":
        sys.path.insert(0, str(ROOT))
        from deid.risk import linkage_attack

        # load the compiled kernels from numba's cache: serial ones on a small frame, the
        # parallel ones on one of at least 2**20 rows
        t0 = time.perf_counter()
        linkage_attack(released.head(1000), auxiliary.head(1 << 20), ON, hierarchies=hierarchies)
        out["first_call_seconds"] = time.perf_counter() - t0

        def run():
            return linkage_attack(released, auxiliary, ON, hierarchies=hierarchies).match_counts
    else:
        def run():
            aux = auxiliary
            if case == "generalized":
                aux = auxiliary.assign(zip5=_zip3(auxiliary["zip5"]), birth_date=_year(auxiliary["birth_date"]))
            counts = aux.groupby(ON, sort=False).size().rename("matches")
            merged = released[ON].merge(counts, left_on=ON, right_index=True, how="left")
            return merged["matches"].fillna(0).to_numpy(dtype=np.int64)

    best, best_cpu, extra = float("inf"), float("inf"), 0.0
    counts = None
    for _ in range(repeat):
        counts = None
        with _Measure() as m:
            counts = run()
        best = min(best, m.seconds)
        best_cpu = min(best_cpu, m.cpu_seconds)
        extra = max(extra, m.extra_mib)
        out["peak_resettable"] = m.peak_resettable
    out["seconds"] = best
    out["cpu_seconds"] = best_cpu
    out["extra_mib"] = extra
    if library == "deid":
        out["deid_breakdown"] = _deid_breakdown(released, auxiliary, hierarchies)
    out["ru_maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    np.save(directory / f"counts_{library}_{case}.npy", counts)
    out["unique_links"] = int((counts == 1).sum())
    out["expected_correct"] = float((1.0 / counts[counts > 0]).sum())
    return out


def _deid_breakdown(released, auxiliary, hierarchies) -> dict:
    """One linkage_attack call taken apart: wall and CPU seconds of coding each column (released
    side, auxiliary side translated or factorized, hierarchy levels) and of the join."""
    import numpy as np

    from deid.risk import _linkage as linkage

    steps = {}
    hierarchies = hierarchies or {}
    aux_mat = np.empty((len(ON), len(auxiliary)), dtype=np.int32)
    columns = []
    for j, name in enumerate(ON):
        t0, c0 = time.perf_counter(), time.process_time()
        columns.append(linkage._prepare_column(name, released[name], auxiliary[name], hierarchies.get(name),
                                               aux_mat[j]))
        steps[f"code {name}"] = {"seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0}
    t0, c0 = time.perf_counter(), time.process_time()
    linkage._match_counts(columns, len(released), len(auxiliary), aux_mat)
    steps["join"] = {"seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0}
    return steps


def _run_worker(library: str, case: str, directory: Path, repeat: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", library, "--case", case, "--data", str(directory),
         "--repeat", str(repeat)],
        capture_output=True, text=True, env=env,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{library}/{case} worker failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- main


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100,000 released x 1,000,000 auxiliary records")
    parser.add_argument("--released", type=int, default=1_000_000)
    parser.add_argument("--auxiliary", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=2, help="calls per subprocess (best time is kept)")
    parser.add_argument("--rounds", type=int, default=2, help="subprocesses per library and case, alternating")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--worker", choices=["deid", "pandas"], help=argparse.SUPPRESS)
    parser.add_argument("--case", choices=["exact", "generalized"], help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        print(json.dumps(_worker(args.worker, args.case, args.data, args.repeat)))
        return 0

    import numpy as np

    n_released, n_auxiliary = (100_000, 1_000_000) if args.quick else (args.released, args.auxiliary)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    given = list(sys.argv[1:] if argv is None else argv)
    results = {
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_at_start": load},
        "command": " ".join([Path(__file__).name, *given]),
        "argv": given,
        "settings": {"released": n_released, "auxiliary": n_auxiliary, "repeat": args.repeat, "rounds": args.rounds},
        "cases": {},
    }
    with tempfile.TemporaryDirectory(prefix="linkage_speed_") as tmp:
        directory = Path(tmp)
        t0 = time.perf_counter()
        results["data"] = make_data(n_released, n_auxiliary, directory)
        results["data"]["seconds_to_generate"] = time.perf_counter() - t0
        for case in ("exact", "generalized"):
            # rounds alternate the two libraries so a burst of load from elsewhere hits both;
            # the best round of each is kept
            runs = {"deid": [], "pandas": []}
            for _ in range(args.rounds):
                for library in runs:
                    runs[library].append(_run_worker(library, case, directory, args.repeat))
            deid, pandas = (min(runs[library], key=lambda r: r["seconds"]) for library in ("deid", "pandas"))
            for library, best in (("deid", deid), ("pandas", pandas)):
                best["seconds_per_round"] = [r["seconds"] for r in runs[library]]
            same = bool(np.array_equal(np.load(directory / f"counts_deid_{case}.npy"),
                                       np.load(directory / f"counts_pandas_{case}.npy")))
            results["cases"][case] = {
                "deid": deid, "pandas": pandas, "counts_identical": same,
                "speedup": pandas["seconds"] / deid["seconds"],
                "speedup_cpu": pandas["cpu_seconds"] / deid["cpu_seconds"],
                "load_average_after": os.getloadavg()[0],
                "deid_extra_memory_over_inputs": deid["extra_mib"] / deid["input_mib"],
                "pandas_extra_memory_over_inputs": pandas["extra_mib"] / pandas["input_mib"],
            }

    results["wall_seconds_total"] = round(time.perf_counter() - started, 1)
    print(f"linkage_attack: {n_released:,} released x {n_auxiliary:,} auxiliary records, 4 quasi-identifiers "
          f"(load average {load:.1f} at start; run took {results['wall_seconds_total']:.0f} s)")
    header = f"{'case':<12} {'deid s':>8} {'pandas s':>9} {'speedup':>8} {'deid cpu':>9} {'pandas cpu':>11} " \
             f"{'by cpu':>7} {'deid +MiB':>10} {'pandas +MiB':>12} {'inputs MiB':>11} {'deid/inputs':>12} " \
             f"{'same counts':>12}"
    print(header)
    print("-" * len(header))
    for case, r in results["cases"].items():
        print(f"{case:<12} {r['deid']['seconds']:>8.2f} {r['pandas']['seconds']:>9.2f} {r['speedup']:>7.1f}x "
              f"{r['deid']['cpu_seconds']:>9.2f} {r['pandas']['cpu_seconds']:>11.2f} {r['speedup_cpu']:>6.1f}x "
              f"{r['deid']['extra_mib']:>10.0f} {r['pandas']['extra_mib']:>12.0f} {r['deid']['input_mib']:>11.0f} "
              f"{r['deid_extra_memory_over_inputs']:>11.2f}x {str(r['counts_identical']):>12}")
    for case, r in results["cases"].items():
        steps = ", ".join(f"{name} {v['seconds']:.3f} s ({v['cpu_seconds']:.3f} cpu)"
                          for name, v in r["deid"].get("deid_breakdown", {}).items())
        print(f"deid {case} breakdown (one instrumented call): {steps}")
    exact = results["cases"]["exact"]["deid"]
    print(f"deid first call (loads cached kernels): {exact['first_call_seconds']:.2f} s; "
          f"unique links {exact['unique_links']:,}, expected correct {exact['expected_correct']:,.0f}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    if not args.quick or args.output != DEFAULT_OUTPUT:
        args.output.write_text(json.dumps(results, indent=2) + "\n")
        print(f"wrote {args.output}")
    else:
        quick_output = args.output.with_name(args.output.stem + "_quick.json")
        quick_output.write_text(json.dumps(results, indent=2) + "\n")
        print(f"wrote {quick_output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
