"""Speed and memory of deid.risk against pyCANON and pandas (prints a table, writes JSON).

Cases (issue 3):

1. ``adult``: shared/data/adult/adult.csv. The "full report" is one ``assess_risk`` call
   from the same inputs pyCANON gets, which computes everything of the report that needs no
   population size: equivalence classes, k, the class size histogram,
   prosecutor/journalist/marketer risk (sample-based), sample uniqueness and ``record_risk``
   (1/f per row); with a sensitive attribute also distinct, entropy and recursive (c=2) l and
   t-closeness. It is timed with all nine columns as quasi-identifiers against pyCANON's
   ``k_anonymity`` on the same nine columns, and with ``occupation`` as the sensitive
   attribute against pyCANON's ``l_diversity`` and ``t_closeness``. An attribute cannot be
   both quasi-identifier and sensitive (ARX forbids it and so does deid), so that second pair
   uses the other eight columns as quasi-identifiers, for both libraries. Timed on their own,
   not part of the "full report": the same call with ``sampling_fraction=0.1`` (adds the
   Pitman/Zayatz/SNB/Dankar models and the estimated journalist/marketer risk), and
   ``report.quasi_identifier_analysis()`` (distinction, separation and uniqueness of every
   subset of at most 3 of the 9 columns: 129 groupings). pyCANON runs in its own venv
   (benchmarks/.peers/pycanon, see _peers.py) because it pins numpy/pandas versions.
2. ``synthetic``: N rows (default 10,000,000) x 8 quasi-identifiers of realistic
   cardinality (zip5 as Arrow strings, birth date, sex, race, ethnicity, marital status,
   language, admission year): ``assess_risk`` (k, prosecutor, uniqueness, record_risk)
   against ``df.groupby(qis).size()`` plus ``transform('size')``, both in one process on the
   same frame, alternating (deid, pandas, deid, pandas, ...) so that both see the same load;
   then deid's breakdown (encode per column / group with record risk / metrics).
3. ``big``: N rows (default 100,000,000) x 8 int32 quasi-identifiers: time and peak memory.
4. ``compile``: first ``assess_risk`` call in a fresh process with an empty numba cache
   (cold: compilation) and again with that cache filled (warm: loading).

Every timing is given as wall time and as CPU time of the process (all its threads,
``time.process_time``), best of several repetitions; CPU time moves much less with the
machine's load (other sessions share its 2 cores) and the speed-ups are also given by CPU
time. The load average is recorded next to each case. Memory is the peak resident set during
the first measured call (VmHWM, reset just before the call through /proc/self/clear_refs;
ru_maxrss where that is unavailable) minus the resident set before it, i.e. what the call
itself added on top of the frame. Compare the ratios measured in the same run. The JSON
records the command line (``argv``) and the run's total wall time.

Cost of a full run (about 4-6 minutes, estimated from the parts the last run recorded;
pyCANON's ``t_closeness`` alone takes about 40 s, the empty-cache compilations about 80 s): the largest process is the "big"
worker, about 6 GiB resident at its peak (the 3 GiB int32 frame plus about 2.5 GiB that
``assess_risk`` adds). ``--quick`` takes well under a minute and writes
``risk_speed_quick.json`` unless ``--output`` is given, so it never replaces the full run's
results.

    python benchmarks/risk_speed.py                 # everything (4-6 minutes, ~6 GiB peak)
    python benchmarks/risk_speed.py --quick         # adult + 200k synthetic rows, no "big"
    python benchmarks/risk_speed.py --rows 1000000 --skip-big --skip-peers --repeats 5
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
ADULT = ROOT.parent / "shared" / "data" / "adult" / "adult.csv"
DEFAULT_OUTPUT = HERE / "results" / "risk_speed.json"
PYCANON_REQUIREMENT = "pycanon==1.3.6"

ADULT_QIS = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass", "occupation",
             "salary-class"]
ADULT_SENSITIVE = "occupation"
ADULT_QIS_WITHOUT_SENSITIVE = [c for c in ADULT_QIS if c != ADULT_SENSITIVE]


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


def _peak_kib() -> int:
    hwm = _status_kib("VmHWM")
    return hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class _Measure:
    """Time one call (wall and CPU seconds) and the resident memory it adds at its peak."""

    def __enter__(self):
        self.peak_resettable = _reset_peak()
        self.rss_before_kib = _status_kib("VmRSS") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.t0 = time.perf_counter()
        self.c0 = time.process_time()
        return self

    def __exit__(self, *exc):
        self.cpu_seconds = time.process_time() - self.c0
        self.seconds = time.perf_counter() - self.t0
        self.peak_kib = _peak_kib()
        self.extra_mib = max(self.peak_kib - self.rss_before_kib, 0) / 1024
        return False


class _Best:
    """Best (smallest) wall and CPU seconds over repetitions, and every repetition."""

    def __init__(self):
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def time(self, fn):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        self.add(time.perf_counter() - t0, time.process_time() - c0)
        return out

    def add(self, wall: float, cpu: float) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)

    def summary(self, prefix: str = "") -> dict:
        return {prefix + "seconds": min(self.wall), prefix + "cpu_seconds": min(self.cpu),
                prefix + "seconds_all": [round(x, 6) for x in self.wall],
                prefix + "cpu_seconds_all": [round(x, 6) for x in self.cpu]}


def _load() -> float:
    return round(os.getloadavg()[0], 2)


# ----------------------------------------------------------------------------- data


def make_synthetic(n: int, seed: int = 0):
    """Patients with realistic quasi-identifier cardinalities (no real data involved)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    zips = np.array([f"{z:05d}" for z in rng.choice(100_000, 33_000, replace=False)])  # ~US zip5 count
    return pd.DataFrame(
        {
            "zip5": pd.array(zips[rng.integers(0, len(zips), n)], dtype="str"),
            "birth_date": pd.Timestamp("1925-01-01") + pd.to_timedelta(rng.integers(0, 36_500, n), unit="D"),
            "sex": pd.Categorical.from_codes(rng.integers(0, 2, n), ["F", "M"]),
            "race": pd.Categorical.from_codes(rng.integers(0, 6, n), ["W", "B", "A", "N", "P", "O"]),
            "ethnicity": pd.Categorical.from_codes(rng.integers(0, 3, n), ["H", "N", "U"]),
            "marital_status": pd.Categorical.from_codes(rng.integers(0, 6, n), ["S", "M", "D", "W", "P", "U"]),
            "language": pd.Categorical.from_codes(rng.integers(0, 20, n), [f"lang{i}" for i in range(20)]),
            "admit_year": rng.integers(2005, 2025, n).astype("int16"),
        }
    )


def make_int32(n: int, seed: int = 0):
    """The same cardinalities as ``make_synthetic``, every column int32."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    cards = {"zip5": 33_000, "birth_day": 36_500, "sex": 2, "race": 6, "ethnicity": 3, "marital_status": 6,
             "language": 20, "admit_year": 20}
    frame = {}
    for name, card in cards.items():
        col = np.empty(n, dtype=np.int32)
        step = 10_000_000
        for lo in range(0, n, step):  # chunks keep generation's temporaries small
            hi = min(n, lo + step)
            col[lo:hi] = rng.integers(0, card, hi - lo, dtype=np.int32)
        frame[name] = col
    return pd.DataFrame(frame, copy=False)


# ----------------------------------------------------------------------------- workers (subprocess side)


def _worker(task: str, rows: int, repeats: int = 7) -> dict:
    sys.path.insert(0, str(ROOT))
    if task == "compile":
        import pandas as pd

        t0 = time.perf_counter()
        from deid.risk import assess_risk

        imported = time.perf_counter() - t0
        df = pd.DataFrame({"a": [1, 2, 2, 3], "b": ["x", "y", "y", "x"], "s": [1.0, 2.0, 2.0, 3.0]})
        t1 = time.perf_counter()
        assess_risk(df, ["a", "b"], sensitive="s", sampling_fraction=0.1).quasi_identifier_analysis()
        first = time.perf_counter() - t1
        t2 = time.perf_counter()
        assess_risk(df, ["a", "b"], sensitive="s", sampling_fraction=0.1).quasi_identifier_analysis()
        second = time.perf_counter() - t2
        # frames of 2**20 rows and more use the parallel compilations: their first call too
        big = make_synthetic(1_200_000)
        t3 = time.perf_counter()
        assess_risk(big, list(big.columns))
        first_big = time.perf_counter() - t3
        t4 = time.perf_counter()
        assess_risk(big, list(big.columns))
        second_big = time.perf_counter() - t4
        return {"import_seconds": imported, "first_call_seconds": first, "second_call_seconds": second,
                "first_call_1.2M_rows_seconds": first_big, "second_call_1.2M_rows_seconds": second_big}

    if task == "deid_adult":
        import pandas as pd

        from deid.risk import assess_risk

        df = pd.read_csv(ADULT, sep=";")
        assess_risk(df.head(100), ADULT_QIS, sampling_fraction=0.1)  # load compiled kernels
        assess_risk(df.head(100), ADULT_QIS_WITHOUT_SENSITIVE, sensitive=ADULT_SENSITIVE)
        assess_risk(df.head(100), ADULT_QIS).quasi_identifier_analysis()
        best = {"plain": _Best(), "population": _Best(), "sensitive": _Best(), "qi_analysis": _Best()}
        load_before = _load()
        for _ in range(repeats):
            full = best["plain"].time(lambda: assess_risk(df, ADULT_QIS))
            pop = best["population"].time(lambda: assess_risk(df, ADULT_QIS, sampling_fraction=0.1))
            sens = best["sensitive"].time(lambda: assess_risk(df, ADULT_QIS_WITHOUT_SENSITIVE, sensitive=ADULT_SENSITIVE))
            analysis = best["qi_analysis"].time(lambda: full.quasi_identifier_analysis(max_size=3))
        s = sens.sensitive[ADULT_SENSITIVE]
        return {
            "repeats": repeats,
            "load_average": [load_before, _load()],
            "full_report_includes": [
                "equivalence classes (one grouping of the quasi-identifiers)", "k", "class size histogram",
                "prosecutor risk", "journalist and marketer risk (sample-based: no population size)",
                "sample uniqueness", "record_risk (1/f per row)",
                "with a sensitive attribute: distinct, entropy and recursive (c=2) l, t-closeness",
            ],
            "full_report_excludes": [
                "population models (timed as full_report_9_qis_with_population_models)",
                "quasi_identifier_analysis (timed as quasi_identifier_analysis_9_qis_max_size_3)",
            ],
            "full_report_9_qis_seconds": min(best["plain"].wall),
            "full_report_9_qis_cpu_seconds": min(best["plain"].cpu),
            "full_report_8_qis_with_sensitive_seconds": min(best["sensitive"].wall),
            "full_report_8_qis_with_sensitive_cpu_seconds": min(best["sensitive"].cpu),
            "n_classes_9_qis": full.n_classes,
            "k_9_qis": full.k,
            "full_report_9_qis_with_population_models_seconds": min(best["population"].wall),
            "full_report_9_qis_with_population_models_cpu_seconds": min(best["population"].cpu),
            "quasi_identifier_analysis_9_qis_max_size_3_seconds": min(best["qi_analysis"].wall),
            "quasi_identifier_analysis_9_qis_max_size_3_cpu_seconds": min(best["qi_analysis"].cpu),
            "quasi_identifier_analysis_subsets": len(analysis),
            "dankar_fraction_at_0.1": pop.population_uniqueness.dankar.fraction,
            "dankar_model_at_0.1": pop.population_uniqueness.dankar.used_model,
            "k_8_qis": sens.k,
            "distinct_l": s.distinct_l,
            "entropy_l": s.entropy_l,
            "recursive_l_c2": s.recursive_l,
            "t_closeness_equal": s.t_closeness,
        }

    if task == "synthetic":
        return _synthetic(rows, repeats)

    if task == "deid_big":
        df = make_int32(rows)
        qis = list(df.columns)
        frame_mib = df.memory_usage(deep=True).sum() / 2**20
        from deid.risk import assess_risk

        # load the compiled kernels (serial and, from 2**20 rows, parallel) outside the measurement
        assess_risk(df.head(1000), qis)
        assess_risk(df.head((1 << 20) + 1000), qis)
        load_before = _load()
        with _Measure() as m:
            report = assess_risk(df, qis)
        return {"rows": rows, "frame_mib": frame_mib, "n_classes": report.n_classes, "k": report.k,
                "sample_uniqueness": report.sample_uniqueness, "record_risk_len": len(report.record_risk),
                "seconds": m.seconds, "cpu_seconds": m.cpu_seconds, "load_average": [load_before, _load()],
                **_memory(m, frame_mib)}
    raise SystemExit(f"unknown worker task {task!r}")


def _memory(m: _Measure, frame_mib: float) -> dict:
    return {"peak_extra_mib": m.extra_mib, "peak_total_mib": m.peak_kib / 1024, "peak_reset": m.peak_resettable,
            "peak_extra_over_frame": m.extra_mib / frame_mib}


def _synthetic(rows: int, repeats: int) -> dict:
    """deid and pandas on one synthetic frame in one process, alternating, then deid's breakdown."""
    import numpy as np

    from deid.risk import assess_risk
    from deid.risk._encode import encode_column
    from deid.risk._report import EquivalenceClasses, RiskReport

    try:
        from deid.risk._kernels import group_columns_with_risk
    except ImportError:  # a deid from before the fused grouping (to measure "before" with this script)
        from deid.risk._kernels import gather_inverse_size, group_columns

        def group_columns_with_risk(columns, want_ids=True):
            ids, sizes = group_columns(columns)
            return ids, sizes, gather_inverse_size(ids, sizes)

    df = make_synthetic(rows)
    qis = list(df.columns)
    frame_mib = df.memory_usage(deep=True).sum() / 2**20
    # load the compiled kernels (serial and, from 2**20 rows, parallel) outside the measurement
    assess_risk(df.head(1000), qis)
    assess_risk(df.head((1 << 20) + 1000), qis)

    def run_deid():
        return assess_risk(df, qis)

    def run_pandas():
        grouped = df.groupby(qis, observed=True, sort=False)
        sizes = grouped.size()
        per_record = grouped[qis[0]].transform("size")
        return sizes, per_record

    load_before = _load()
    # first repetition of each: also the memory it adds (deid first, on a fresh heap)
    with _Measure() as m_deid:
        report = run_deid()
    with _Measure() as m_pandas:
        sizes, per_record = run_pandas()
    deid_best, pandas_best = _Best(), _Best()
    deid_best.add(m_deid.seconds, m_deid.cpu_seconds)
    pandas_best.add(m_pandas.seconds, m_pandas.cpu_seconds)
    del sizes, per_record
    for _ in range(repeats - 1):
        deid_best.time(run_deid)
        pandas_best.time(lambda: run_pandas() and None)
    load_after = _load()
    deid = {"rows": rows, "frame_mib": frame_mib, "n_classes": report.n_classes, "k": report.k,
            "sample_uniqueness": report.sample_uniqueness, "record_risk_len": len(report.record_risk),
            **deid_best.summary(), **_memory(m_deid, frame_mib)}
    grouped_sizes, _ = run_pandas()
    pandas = {"rows": rows, "frame_mib": frame_mib, "n_classes": len(grouped_sizes), "k": int(grouped_sizes.min()),
              **pandas_best.summary(), **_memory(m_pandas, frame_mib)}
    del grouped_sizes

    # where deid's time goes (the steps of assess_risk without sensitive attributes)
    steps: dict = {}
    encoded = {}
    for name in qis:
        best = _Best()
        for _ in range(repeats):
            encoded[name] = best.time(lambda: encode_column(df[name]))
        steps[f"encode {name}"] = best.summary()
    best = _Best()
    for _ in range(repeats):
        _, class_sizes, _ = best.time(
            lambda: group_columns_with_risk(((e.codes, e.cardinality) for e in encoded.values()), want_ids=False))
    steps["group + record_risk"] = best.summary()
    best = _Best()
    for _ in range(repeats):
        best.time(lambda: RiskReport.from_classes(EquivalenceClasses(class_sizes)))
    steps["metrics"] = best.summary()
    encode_steps = [v for name, v in steps.items() if name.startswith("encode")]
    breakdown = {
        "encode_seconds": float(np.sum([v["seconds"] for v in encode_steps])),
        "encode_cpu_seconds": float(np.sum([v["cpu_seconds"] for v in encode_steps])),
        "steps": steps,
    }
    return {"repeats": repeats, "load_average": [load_before, load_after], "deid": deid, "pandas": pandas,
            "deid_breakdown": breakdown}


PYCANON_CODE = r"""
import json, sys, time
import pandas as pd
from pycanon import anonymity
path, qis9, qis8, sa = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
df = pd.read_csv(path, sep=";")
out = {}
for name, fn, args, repeats in [
    ("k_anonymity", anonymity.k_anonymity, (df, qis9), 5),
    ("l_diversity", anonymity.l_diversity, (df, qis8, [sa]), 3),
    ("t_closeness", anonymity.t_closeness, (df, qis8, [sa]), 1),
]:
    best = best_cpu = float("inf")
    for _ in range(repeats):  # best of a few, as for deid
        t0, c0 = time.perf_counter(), time.process_time()
        value = fn(*args)
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    out[name + "_seconds"] = best
    out[name + "_cpu_seconds"] = best_cpu
    out[name] = float(value)
print(json.dumps(out))
"""


# ----------------------------------------------------------------------------- parent side


def _run_worker(task: str, rows: int = 0, env: dict | None = None, timeout: float = 3600, repeats: int = 7) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", task, "--rows", str(rows), "--repeats",
           str(repeats)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env or os.environ.copy())
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_adult(skip_peers: bool, repeats: int) -> dict:
    result: dict = {"deid": _run_worker("deid_adult", repeats=repeats)}
    if skip_peers:
        result["pycanon"] = {"skipped": "--skip-peers"}
        return result
    sys.path.insert(0, str(HERE))
    from _peers import ensure_peer, run_in_peer

    peer = ensure_peer("pycanon", [PYCANON_REQUIREMENT])
    if not peer.ok:
        result["pycanon"] = {"unavailable": peer.error}
        return result
    load_before = _load()
    run = run_in_peer(peer, PYCANON_CODE, str(ADULT), json.dumps(ADULT_QIS), json.dumps(ADULT_QIS_WITHOUT_SENSITIVE),
                      ADULT_SENSITIVE)
    load_after = _load()
    if run.returncode != 0:
        result["pycanon"] = {"failed": run.stderr.strip().splitlines()[-1] if run.stderr.strip() else "no output"}
        return result
    pc = json.loads(run.stdout.strip().splitlines()[-1])
    pc["versions"] = peer.versions
    pc["load_average"] = [load_before, load_after]
    result["pycanon"] = pc
    d = result["deid"]
    if "error" not in d:
        result["speedup"] = {
            "k_anonymity": pc["k_anonymity_seconds"] / d["full_report_9_qis_seconds"],
            "l_diversity": pc["l_diversity_seconds"] / d["full_report_8_qis_with_sensitive_seconds"],
            "t_closeness": pc["t_closeness_seconds"] / d["full_report_8_qis_with_sensitive_seconds"],
        }
        result["speedup_cpu"] = {
            "k_anonymity": pc["k_anonymity_cpu_seconds"] / d["full_report_9_qis_cpu_seconds"],
            "l_diversity": pc["l_diversity_cpu_seconds"] / d["full_report_8_qis_with_sensitive_cpu_seconds"],
            "t_closeness": pc["t_closeness_cpu_seconds"] / d["full_report_8_qis_with_sensitive_cpu_seconds"],
        }
        result["agreement"] = {
            "k": [d["k_9_qis"], pc["k_anonymity"]],
            "distinct_l": [d["distinct_l"], pc["l_diversity"]],
            "t": [d["t_closeness_equal"], pc["t_closeness"]],
        }
    return result


def run_compile() -> dict:
    with tempfile.TemporaryDirectory(prefix="deid-numba-cache-") as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        cold = _run_worker("compile", env=env)
        warm = _run_worker("compile", env=env)
    return {"cold_cache": cold, "warm_cache": warm}


def _fmt(x, spec=".3f"):
    return format(x, spec) if isinstance(x, (int, float)) else str(x)


def _ratio(num, den) -> str:
    return (_fmt(num / den, ".1f") + "x") if isinstance(num, (int, float)) and isinstance(den, (int, float)) else "n/a"


def print_table(results: dict) -> None:
    rows = []
    a = results.get("adult")
    if a and "deid" in a:
        d, pc = a["deid"], a.get("pycanon", {})
        peer_note = next((str(v) for k, v in pc.items() if k in ("unavailable", "failed", "skipped")), None)
        for fn, key in (("k_anonymity", "full_report_9_qis"),
                        ("l_diversity", "full_report_8_qis_with_sensitive"),
                        ("t_closeness", "full_report_8_qis_with_sensitive")):
            peer = pc.get(fn + "_seconds", f"pyCANON n/a ({peer_note})" if peer_note else "n/a")
            rows.append((f"adult: full report vs pyCANON {fn}", _fmt(d.get(key + "_seconds", d.get("error")), ".4f"),
                         _fmt(d.get(key + "_cpu_seconds", ""), ".4f"), _fmt(peer), _fmt(pc.get(fn + "_cpu_seconds", "")),
                         _ratio(pc.get(fn + "_seconds"), d.get(key + "_seconds")),
                         _ratio(pc.get(fn + "_cpu_seconds"), d.get(key + "_cpu_seconds")), "", ""))
        if "full_report_9_qis_with_population_models_seconds" in d:
            rows.append(("adult: full report + population models (sampling_fraction=0.1)",
                         _fmt(d["full_report_9_qis_with_population_models_seconds"], ".4f"),
                         _fmt(d.get("full_report_9_qis_with_population_models_cpu_seconds", ""), ".4f"),
                         "", "", "", "", "", ""))
        if "quasi_identifier_analysis_9_qis_max_size_3_seconds" in d:
            rows.append((f"adult: quasi_identifier_analysis(max_size=3), "
                         f"{d.get('quasi_identifier_analysis_subsets', '?')} subsets (not in the full report)",
                         _fmt(d["quasi_identifier_analysis_9_qis_max_size_3_seconds"], ".4f"),
                         _fmt(d["quasi_identifier_analysis_9_qis_max_size_3_cpu_seconds"], ".4f"),
                         "", "", "", "", "", ""))
    s = results.get("synthetic")
    if s and "deid" in s:
        d, p = s["deid"], s.get("pandas", {})
        rows.append((f"synthetic: {d.get('rows', '?'):,} rows x 8 QIs, assess_risk vs pandas groupby",
                     _fmt(d.get("seconds", d.get("error"))), _fmt(d.get("cpu_seconds", "")),
                     _fmt(p.get("seconds", "n/a")), _fmt(p.get("cpu_seconds", "")),
                     _ratio(p.get("seconds"), d.get("seconds")), _ratio(p.get("cpu_seconds"), d.get("cpu_seconds")),
                     _fmt(d.get("peak_extra_mib", "n/a"), ".0f"), _fmt(d.get("frame_mib", "n/a"), ".0f")))
        for name, v in s.get("deid_breakdown", {}).get("steps", {}).items():
            rows.append((f"  deid step: {name}", _fmt(v["seconds"]), _fmt(v["cpu_seconds"]), "", "", "", "", "", ""))
    elif s:
        rows.append(("synthetic", str(s.get("error", s)), "", "", "", "", "", "", ""))
    b = results.get("big")
    if b and "deid" in b:
        d = b["deid"]
        rows.append((f"big: {d.get('rows', '?'):,} rows x 8 int32 QIs, assess_risk",
                     _fmt(d.get("seconds", d.get("error"))), _fmt(d.get("cpu_seconds", "")), "", "", "", "",
                     _fmt(d.get("peak_extra_mib", "n/a"), ".0f"), _fmt(d.get("frame_mib", "n/a"), ".0f")))
    c = results.get("compile")
    if c:
        for label, key in (("cold", "cold_cache"), ("warm", "warm_cache")):
            v = c[key]
            rows.append((f"numba first call, {label} cache (import {_fmt(v.get('import_seconds', 'n/a'))} s)",
                         _fmt(v.get("first_call_seconds", v.get("error"))), "", "", "", "", "", "", ""))
            if "first_call_1.2M_rows_seconds" in v:
                rows.append((f"  then first call on 1.2M rows (parallel kernels), {label} cache; second call",
                             _fmt(v["first_call_1.2M_rows_seconds"]), "", _fmt(v["second_call_1.2M_rows_seconds"]),
                             "", "", "", "", ""))
    header = ("case", "deid s", "deid cpu s", "peer s", "peer cpu s", "speed-up", "by cpu", "peak+ MiB", "frame MiB")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths))
    print(line)
    print("-" * len(line))
    for r in rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=10_000_000, help="rows of the synthetic case")
    ap.add_argument("--big-rows", type=int, default=100_000_000, help="rows of the int32 case")
    ap.add_argument("--repeats", type=int, default=3,
                    help="repetitions of the synthetic case (best kept); adult uses 5 times as many")
    ap.add_argument("--quick", action="store_true", help="adult + 200,000 synthetic rows, no big case")
    ap.add_argument("--skip-peers", action="store_true", help="do not build/run the pyCANON venv")
    ap.add_argument("--skip-big", action="store_true")
    ap.add_argument("--skip-compile", action="store_true")
    ap.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(_worker(args.worker, args.rows, args.repeats)))
        return 0
    given = list(sys.argv[1:] if argv is None else argv)
    if args.quick:
        args.rows, args.skip_big = 200_000, True
        if args.output == DEFAULT_OUTPUT:  # never replace the full run's results
            args.output = DEFAULT_OUTPUT.with_name(DEFAULT_OUTPUT.stem + "_quick.json")
    started = time.perf_counter()
    results: dict = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "command": " ".join([Path(__file__).name, *given]),
        "argv": given,
        "load_average_at_start": _load(),
    }
    if ADULT.exists():
        results["adult"] = run_adult(args.skip_peers, repeats=5 * args.repeats)
    else:
        results["adult"] = {"skipped": f"{ADULT} not found"}
    synthetic = _run_worker("synthetic", args.rows, repeats=args.repeats)
    if "deid" in synthetic and "pandas" in synthetic:
        d, p = synthetic["deid"], synthetic["pandas"]
        synthetic["speedup"] = p["seconds"] / d["seconds"]
        synthetic["speedup_cpu"] = p["cpu_seconds"] / d["cpu_seconds"]
    results["synthetic"] = synthetic
    if not args.skip_big:
        results["big"] = {"deid": _run_worker("deid_big", args.big_rows, timeout=7200)}
    if not args.skip_compile:
        results["compile"] = run_compile()
    results["load_average_at_end"] = _load()
    results["wall_seconds_total"] = round(time.perf_counter() - started, 1)
    print_table(results)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nwrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
