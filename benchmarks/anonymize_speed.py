"""Speed and information loss of deid.anonymize, against ARX's results and ANJANA (prints a table, writes JSON).

Cases (issue 7):

1. ``adult``: shared/data/adult/adult.csv with its nine ARX hierarchies. All nine columns as
   quasi-identifiers: k-anonymity for several k and suppression limits with the monotonic
   non-uniform entropy (ARX's ``TestAnonymizationKAnonymity`` expectations are checked:
   node and loss to 1e-9); and entropy l-diversity of ``occupation`` with the other eight
   columns as quasi-identifiers and the non-monotonic entropy (``TestAnonymizationLDiversity``).
   Each case runs once to warm up, then ``--repeat`` times; the best wall time and its CPU
   time are reported, with the transformations checked and the lattice size.
2. ``first_call``: import plus the first k=5/4% call in a fresh process (numba's on-disk cache
   filled by the runs above, so this is loading, not compiling).
3. ``synthetic``: N rows (default 1,000,000) x 8 clinical-like quasi-identifiers (age,
   sex, zip5, admission date, race, ethnicity, marital status, payer) with interval,
   redaction, date and grouping hierarchies (a lattice of 8,640 nodes).
4. ``anjana``: ANJANA's greedy ``anjana.anonymity.k_anonymity`` (it generalizes the column
   with the most distinct values one level at a time until k holds within the suppression
   limit) on adult, all nine columns, in its own venv (benchmarks/.peers/anjana, see
   _peers.py: it pins numpy/pandas), in the same run. ANJANA's transformation and deid's
   entropy-optimal one are both scored with deid's code for two metrics: the monotonic
   non-uniform entropy (what deid optimizes here) and ARX's loss metric (non-monotonic). The
   loss-optimal node (a second deid run with ``metric="loss"``) is reported too, so the table
   shows time and both losses side by side, every column saying which node it scores.

Timings on the shared 2-core machine are noisy: compare ratios measured in the same run, and
the CPU seconds, which others' load disturbs less.

    python benchmarks/anonymize_speed.py                # ~2 minutes
    python benchmarks/anonymize_speed.py --quick        # 200,000 synthetic rows, one repeat
    python benchmarks/anonymize_speed.py --skip-peers   # no ANJANA
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from deid.anonymize import Hierarchy, anonymize  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "adult"
DEFAULT_OUTPUT = HERE / "results" / "anonymize_speed.json"
ANJANA_REQUIREMENT = "anjana==1.2.3"
COLUMNS = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass", "occupation",
           "salary-class"]
WITHOUT_OCCUPATION = [c for c in COLUMNS if c != "occupation"]

# (name, quasi-identifiers, keyword arguments, ARX's expected (loss, transformation) or None)
ADULT_CASES = [
    ("k=5, 4% (ARX check)", COLUMNS, {"k": 5, "max_suppression": 0.04},
     (255559.85455731067, [1, 0, 1, 1, 3, 2, 2, 0, 1])),
    ("k=100, 4%", COLUMNS, {"k": 100, "max_suppression": 0.04}, (379417.3460570988, [1, 1, 1, 1, 3, 2, 2, 1, 1])),
    ("k=5, 0%", COLUMNS, {"k": 5, "max_suppression": 0.0}, (407289.5388925293, [1, 2, 1, 1, 3, 2, 2, 1, 1])),
    ("k=100, 0%", COLUMNS, {"k": 100, "max_suppression": 0.0}, (453196.8932458743, [0, 4, 1, 1, 3, 2, 2, 1, 1])),
    ("k=2, 1%", COLUMNS, {"k": 2, "max_suppression": 0.01}, None),
    ("k=10, 2%", COLUMNS, {"k": 10, "max_suppression": 0.02}, None),
    ("k=20, 10%", COLUMNS, {"k": 20, "max_suppression": 0.10}, None),
    ("entropy-l=5 occupation, 4% (ARX check)", WITHOUT_OCCUPATION,
     {"l": 5, "l_variant": "entropy", "sensitive": "occupation", "max_suppression": 0.04, "monotonic": False},
     (228878.2039109519, [1, 0, 1, 1, 2, 2, 2, 1])),
    ("entropy-l=5 occupation, 0%", WITHOUT_OCCUPATION,
     {"l": 5, "l_variant": "entropy", "sensitive": "occupation", "max_suppression": 0.0, "monotonic": False},
     (324620.5269918695, [1, 1, 1, 1, 3, 2, 2, 1])),
    ("entropy-l=3 occupation + k=5, 4%", WITHOUT_OCCUPATION,
     {"k": 5, "l": 3, "l_variant": "entropy", "sensitive": "occupation", "max_suppression": 0.04, "monotonic": False},
     None),
]

ANJANA_CASES = [("k=5, 4%", 5, 0.04), ("k=100, 4%", 100, 0.04), ("k=10, 1%", 10, 0.01)]

ANJANA_CODE = r"""
import json, sys, time
import pandas as pd
from anjana.anonymity import k_anonymity
from anjana.anonymity.utils import utils
path, qis, cases = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
data = pd.read_csv(path + "/adult.csv", sep=";")
out = []
for k, supp in cases:
    hier = {}
    for q in qis:
        h = pd.read_csv(path + "/adult_hierarchy_" + q + ".csv", sep=";", header=None)
        hier[q] = {i: h[i].values for i in range(h.shape[1])}
    t = time.perf_counter(); c = time.process_time()
    result = k_anonymity(data, [], qis, k, supp * 100, hier)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    levels = utils.check_gen_level(result, qis, hier)
    out.append({"seconds": wall, "cpu_seconds": cpu, "levels": [int(levels[q]) for q in qis],
                "rows_out": len(result)})
print(json.dumps(out))
"""


def load_adult():
    df = pd.read_csv(DATA / "adult.csv", sep=";")
    hierarchies = {c: Hierarchy.from_csv(DATA / f"adult_hierarchy_{c}.csv") for c in COLUMNS}
    return df, hierarchies


def _timed(fn, repeat: int):
    fn()  # warm-up: compilation or cache loading, first allocations
    best = None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        result = fn()
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        if best is None or wall < best[0]:
            best = (wall, cpu, result)
    return best


def run_adult(repeat: int) -> list[dict]:
    df, h = load_adult()
    out = []
    for name, qis, kwargs, expected in ADULT_CASES:
        wall, cpu, r = _timed(lambda: anonymize(df, qis, h, **kwargs), repeat)
        row = {"case": name, "seconds": wall, "cpu_seconds": cpu, "transformation": list(r.transformation),
               "information_loss": r.information_loss, "suppressed": r.suppressed,
               "nodes_checked": r.nodes_checked, "lattice_size": r.lattice_size, "satisfied": r.satisfied}
        if expected is not None:
            row["arx_loss"], row["arx_transformation"] = expected
            row["matches_arx"] = (abs(r.information_loss - expected[0]) <= 1e-9
                                  and list(r.transformation) == expected[1])
        out.append(row)
    return out


def run_first_call() -> dict:
    code = (
        "import time, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "t = time.perf_counter()\n"
        "import pandas as pd\n"
        "from deid.anonymize import Hierarchy, anonymize\n"
        "imported = time.perf_counter() - t\n"
        f"df = pd.read_csv({str(DATA / 'adult.csv')!r}, sep=';')\n"
        f"h = {{c: Hierarchy.from_csv({str(DATA)!r} + '/adult_hierarchy_' + c + '.csv') for c in {COLUMNS!r}}}\n"
        "t = time.perf_counter()\n"
        f"anonymize(df, {COLUMNS!r}, h, k=5, max_suppression=0.04)\n"
        "first = time.perf_counter() - t\n"
        "t = time.perf_counter()\n"
        f"anonymize(df, {COLUMNS!r}, h, k=5, max_suppression=0.04)\n"
        "second = time.perf_counter() - t\n"
        "print(imported, first, second)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:]}
    imported, first, second = (float(x) for x in done.stdout.split())
    return {"import_seconds": imported, "first_call_seconds": first, "second_call_seconds": second}


def synthetic(n: int, seed: int = 0) -> pd.DataFrame:
    """A clinical-like table: skewed ages, zip5 codes clustered in 40 three-digit areas, three years of
    admission dates, and categorical columns with realistic shares. No real data."""
    rng = np.random.default_rng(seed)
    age = np.clip(rng.gamma(4.0, 11.0, n).astype(np.int64), 0, 99)
    prefixes = rng.choice(np.arange(10, 100), 40, replace=False)
    zips = np.array([f"{p:03d}{s:02d}" for p in prefixes for s in range(0, 100, 3)])
    weights = rng.zipf(1.6, len(zips)).astype(float)
    weights /= weights.sum()
    admit = np.datetime64("2019-01-01") + rng.integers(0, 3 * 365, n).astype("timedelta64[D]")
    return pd.DataFrame({
        "age": age,
        "sex": rng.choice(np.array(["F", "M"]), n),
        "zip": rng.choice(zips, n, p=weights),
        "admit_date": pd.to_datetime(admit),
        "race": rng.choice(np.array(["White", "Black", "Asian", "AIAN", "NHPI", "Other"]), n,
                           p=[.6, .15, .1, .05, .02, .08]),
        "ethnicity": rng.choice(np.array(["Hispanic", "Not Hispanic", "Unknown"]), n, p=[.18, .78, .04]),
        "marital": rng.choice(np.array(["Married", "Single", "Divorced", "Widowed", "Separated"]), n,
                              p=[.45, .3, .12, .08, .05]),
        "payer": rng.choice(np.array(["Medicare", "Medicaid", "Commercial", "HMO", "Self-pay", "VA"]), n,
                            p=[.3, .2, .3, .1, .07, .03]),
    })


def synthetic_hierarchies(df: pd.DataFrame) -> dict:
    return {
        "age": Hierarchy.intervals(df["age"], widths=(5, 10, 20)),
        "zip": Hierarchy.redaction(df["zip"]),
        "admit_date": Hierarchy.dates(df["admit_date"], levels=("month", "year")),
        "marital": Hierarchy.from_groups([{"spouse present": ["Married"],
                                           "spouse absent": ["Single", "Divorced", "Widowed", "Separated"]}]),
        "payer": Hierarchy.from_groups([{"public": ["Medicare", "Medicaid", "VA"], "private": ["Commercial", "HMO"],
                                         "self": ["Self-pay"]}]),
    }


def run_synthetic(n: int, repeat: int) -> list[dict]:
    df = synthetic(n)
    h = synthetic_hierarchies(df)
    qis = list(df.columns)
    out = []
    for name, kwargs in (("k=5, 1%", {"k": 5, "max_suppression": 0.01}), ("k=10, 0%", {"k": 10}),
                         ("k=5 + entropy-l=2 payer, 1%", None)):
        if kwargs is None:  # payer as the sensitive attribute: seven quasi-identifiers
            q = [c for c in qis if c != "payer"]
            fn = (lambda q=q: anonymize(df, q, h, k=5, l=2, l_variant="entropy", sensitive="payer",
                                        max_suppression=0.01, monotonic=False))
        else:
            fn = (lambda kwargs=kwargs: anonymize(df, qis, h, **kwargs))
        wall, cpu, r = _timed(fn, repeat)
        out.append({"case": name, "rows": n, "seconds": wall, "cpu_seconds": cpu,
                    "transformation": list(r.transformation), "information_loss": r.information_loss,
                    "suppressed": r.suppressed, "nodes_checked": r.nodes_checked, "lattice_size": r.lattice_size})
    return out


def loss_of_transformation(df, qis, h, levels, k, max_suppression, metric, monotonic) -> float:
    """Information loss of a given transformation, by deid's metric code (suppressing what fails k)."""
    from deid.anonymize._api import _build_problem, _validate
    from deid.anonymize._search import LatticeSearch

    qis, sens, args = _validate(df, qis, None, k, None, "distinct", None, None, None, max_suppression, metric,
                                "mask", None)
    search = LatticeSearch(_build_problem(df, qis, sens, h, args, metric, monotonic, max_suppression))
    index = int((np.asarray(levels) * search.strides).sum())
    return search.evaluate(index).loss


def run_anjana(skip: bool) -> dict:
    if skip:
        return {"skipped": "--skip-peers"}
    from _peers import ensure_peer, run_in_peer

    peer = ensure_peer("anjana", [ANJANA_REQUIREMENT])
    if not peer.ok:
        return {"error": peer.error}
    cases = [[k, s] for _, k, s in ANJANA_CASES]
    done = run_in_peer(peer, ANJANA_CODE, str(DATA), json.dumps(COLUMNS), json.dumps(cases))
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-3:]}
    peer_rows = json.loads(done.stdout.strip().splitlines()[-1])
    df, h = load_adult()
    out = []
    for (name, k, supp), theirs in zip(ANJANA_CASES, peer_rows):
        wall, cpu, ours = _timed(lambda: anonymize(df, COLUMNS, h, k=k, max_suppression=supp), 1)
        ours_loss = anonymize(df, COLUMNS, h, k=k, max_suppression=supp, metric="loss")
        row = {
            "case": name,
            "anjana_seconds": theirs["seconds"], "anjana_cpu_seconds": theirs["cpu_seconds"],
            "anjana_transformation": theirs["levels"], "anjana_suppressed": len(df) - theirs["rows_out"],
            "anjana_entropy": loss_of_transformation(df, COLUMNS, h, theirs["levels"], k, supp, "entropy", True),
            "anjana_loss_metric": loss_of_transformation(df, COLUMNS, h, theirs["levels"], k, supp, "loss", False),
            "deid_seconds": wall, "deid_cpu_seconds": cpu, "deid_transformation": list(ours.transformation),
            "deid_suppressed": ours.suppressed, "deid_entropy": ours.information_loss,
            # ARX's loss metric of the entropy-optimal node (the one timed above) ...
            "deid_entropy_node_loss_metric": loss_of_transformation(df, COLUMNS, h, list(ours.transformation), k,
                                                                    supp, "loss", False),
            # ... and of the loss-optimal node (a separate search with metric="loss")
            "deid_loss_node_transformation": list(ours_loss.transformation),
            "deid_loss_metric": ours_loss.information_loss,
        }
        row["speed_up"] = row["anjana_seconds"] / row["deid_seconds"]
        out.append(row)
    return {"versions": peer.versions, "cases": out}


def _fmt(x, spec=".3f"):
    return format(x, spec) if isinstance(x, (int, float)) else str(x)


def print_table(results: dict) -> None:
    rows = []
    for r in results.get("adult", []):
        check = "" if "matches_arx" not in r else ("= ARX" if r["matches_arx"] else "!= ARX")
        rows.append((f"adult {r['case']}", _fmt(r["seconds"]), _fmt(r["cpu_seconds"]),
                     f"{r['nodes_checked']}/{r['lattice_size']}", str(r["transformation"]),
                     _fmt(r["information_loss"], ".10g"), check))
    fc = results.get("first_call", {})
    if "first_call_seconds" in fc:
        rows.append(("adult k=5 4%: first call in a fresh process (import "
                     f"{_fmt(fc['import_seconds'])} s)", _fmt(fc["first_call_seconds"]), "", "", "", "", ""))
    for r in results.get("synthetic", []):
        rows.append((f"synthetic {r['rows']:,} x 8: {r['case']}", _fmt(r["seconds"]), _fmt(r["cpu_seconds"]),
                     f"{r['nodes_checked']}/{r['lattice_size']}", str(r["transformation"]),
                     _fmt(r["information_loss"], ".10g"), ""))
    header = ("case", "wall s", "cpu s", "checked", "transformation", "loss", "")
    _print(header, rows)
    anj = results.get("anjana", {})
    if anj.get("cases"):
        print()
        rows = []
        for r in anj["cases"]:
            rows.append((f"adult {r['case']}", _fmt(r["deid_seconds"]), _fmt(r["anjana_seconds"]),
                         _fmt(r["speed_up"], ".0f") + "x", _fmt(r["deid_entropy"], ".1f"),
                         _fmt(r["anjana_entropy"], ".1f"), _fmt(r.get("deid_entropy_node_loss_metric", "n/a"), ".4f"),
                         _fmt(r["deid_loss_metric"], ".4f"), _fmt(r["anjana_loss_metric"], ".4f")))
        _print(("deid vs ANJANA (greedy)", "deid s", "ANJANA s", "speed-up", "entropy: deid (entropy-opt.)",
                "entropy: ANJANA", "loss: deid (entropy-opt.)", "loss: deid (loss-opt.)", "loss: ANJANA"), rows)
    elif anj:
        print(f"\nANJANA: {anj.get('error') or anj.get('skipped')}")


def _print(header, rows):
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths))
    print(line)
    print("-" * len(line))
    for r in rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="rows of the synthetic table")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per case (after one warm-up)")
    ap.add_argument("--quick", action="store_true", help="200,000 synthetic rows, one timed run")
    ap.add_argument("--skip-peers", action="store_true", help="do not build/run the ANJANA venv")
    ap.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = ap.parse_args(argv)
    if args.quick:
        args.rows, args.repeat = 200_000, 1
    results: dict = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average_at_start": list(os.getloadavg())},
        "command": " ".join([Path(__file__).name, *(sys.argv[1:] if argv is None else argv)]),
        "argv": list(sys.argv[1:] if argv is None else argv),
    }
    if (DATA / "adult.csv").exists():
        results["adult"] = run_adult(args.repeat)
        results["first_call"] = run_first_call()
        results["anjana"] = run_anjana(args.skip_peers)
    else:
        results["adult"] = []
        results["skipped"] = f"{DATA / 'adult.csv'} not found"
    results["synthetic"] = run_synthetic(args.rows, args.repeat)
    print_table(results)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nwrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
