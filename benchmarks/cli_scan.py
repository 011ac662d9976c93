"""How fast `deid scan` is, against the library doing the same detection, and how long the
pre-commit hook takes on a one-file commit.

Data (generated into a temporary folder, deleted afterwards):
- notes: ~20 KB chart files made of deid.synth notes, 50 MB in all (--notes-mb);
- a CSV of 1,000,000 rows (--rows): mrn, name, dob, zip, sex, phone of 100,000 patients.

For each data set and --jobs 1 / 2, in fresh processes, alternating:
- command: `deid scan PATH --format json -o /dev/null --jobs N` (wall time of the process),
  which writes every finding (the CSV: 5,000,000 of them, 1 GB of JSON); for the CSV also
  "command, table", the default format (a summary and the first findings);
- library: a script that reads the same files and runs `Scrubber.detect_many(texts,
  n_process=N)` over them (wall time of the process, imports and lexicon loading included
  in both; both import Presidio's package roots on demand, as the command does). For the
  CSV the library script sends exactly the texts the command sends (each distinct value of
  a column, prefixed with the column name, once: a value met in an earlier chunk is not sent
  again, as the command reuses its findings), so the difference is
  the command's own work (reading, grouping rows, places, fingerprints, the report);
  a second library figure scans every cell, as a naive loop would.
Overhead = command time / library time - 1 (target < 10%).

Hook: `deid gate one-note.txt` in a fresh process, warm (lexicon cache built), best and
median of --hook-runs, as the command runs (Presidio's package roots imported on demand,
deid.cli._lazy_imports) and with DEID_EAGER_IMPORTS=1 (everything imported up front); and
the import time of `deid.text` alone in a plain Python process (Presidio and spaCy).

    PYTHONPATH=. python benchmarks/cli_scan.py            # full: ~30-40 min on the shared 2-core machine
    PYTHONPATH=. python benchmarks/cli_scan.py --quick    # 5 MB of notes, 100,000 rows: a few minutes

Writes benchmarks/results/cli_scan.json (--quick: cli_scan_quick.json, not a result to keep),
with the command line, the commit and the load averages; figures only, never text from the data.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Both library scripts start as the command does (Presidio's package roots imported on
# demand), so that the command-vs-library difference is the command's own work.
LIBRARY_NOTES = """
import sys, os
from deid.cli import _lazy_imports; _lazy_imports.install()
from deid.text import Scrubber
folder, jobs = sys.argv[1], int(sys.argv[2])
paths = sorted(os.path.join(d, f) for d, _, fs in os.walk(folder) for f in fs)
texts = (open(p, encoding="utf-8").read() for p in paths)
n = sum(len(f) for f in Scrubber().detect_many(texts, n_process=jobs, batch_size=64 if jobs == 1 else 256))
print(n)
"""

LIBRARY_CSV = """
import sys
from deid.cli import _lazy_imports; _lazy_imports.install()
import pandas as pd
from deid.io import iter_table
from deid.text import Scrubber
path, jobs, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def texts():
    seen = set()  # as the command does: a value met in an earlier chunk is not detected again
    for chunk in iter_table(path, chunksize=100_000):
        for name in chunk.columns:
            values = chunk[name]
            if mode == "distinct":
                values = pd.Series(pd.unique(values.dropna()))
                prefix = name.replace("_", " ") + ": "
                for v in values.tolist():
                    text = prefix + v
                    if v.strip() and text not in seen:
                        seen.add(text)
                        yield text
            else:
                yield from (v for v in values.dropna().tolist() if v.strip())
n = sum(len(f) for f in Scrubber().detect_many(texts(), n_process=jobs, batch_size=64 if jobs == 1 else 256))
print(n)
"""


DEFAULT_OUTPUT = REPO / "benchmarks" / "results" / "cli_scan.json"


def _env(extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    for name in ("DEID_KEY", "DEID_KEY_FILE", "DEID_EAGER_IMPORTS"):
        env.pop(name, None)
    env.update(extra or {})
    return env


def _commit() -> str | None:
    proc = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    if proc.returncode != 0:
        return None
    return proc.stdout.strip() or None


def _timed(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the children, exit code)."""
    before = os.times()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=_env(env), capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = os.times()
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{cmd[:4]} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system), proc.returncode


def make_notes(folder: Path, megabytes: float, seed: int = 0) -> int:
    from deid.synth import generate_corpus

    corpus = generate_corpus(3000, seed=seed)
    texts = [n.text for n in corpus.notes]
    target = int(megabytes * 1_000_000)
    written = 0
    i = 0
    file_no = 0
    folder.mkdir(parents=True)
    while written < target:
        parts, size = [], 0
        while size < 20_000:
            t = texts[i % len(texts)]
            parts.append(t)
            size += len(t.encode()) + 2
            i += 1
        data = "\n\n".join(parts) + "\n"
        sub = folder / f"{file_no // 500:03d}"
        sub.mkdir(exist_ok=True)
        (sub / f"chart_{file_no:05d}.txt").write_text(data, encoding="utf-8")
        written += len(data.encode())
        file_no += 1
    return written


def make_csv(path: Path, rows: int, patients: int = 100_000, seed: int = 0) -> int:
    import numpy as np
    import pandas as pd
    from faker.providers.person.en_US import Provider

    rng = np.random.default_rng(seed)
    first = np.array(sorted(set(Provider.first_names)))
    last = np.array(sorted(set(Provider.last_names)))
    pid = rng.integers(0, patients, rows)
    p_first = rng.choice(first, patients)
    p_last = rng.choice(last, patients)
    p_dob = (np.datetime64("1930-01-01") + rng.integers(0, 365 * 80, patients)).astype(str)
    p_zip = np.char.zfill(rng.integers(1000, 99999, patients).astype(str), 5)
    p_phone = np.array([f"{a}-555-{b:04d}" for a, b in zip(rng.integers(201, 989, patients), rng.integers(0, 9999, patients))])
    df = pd.DataFrame({
        "mrn": np.char.zfill(pid.astype(str), 8),
        "patient_name": np.char.add(np.char.add(p_first[pid], " "), p_last[pid]),
        "dob": p_dob[pid],
        "zip": p_zip[pid],
        "sex": rng.choice(["F", "M"], rows),
        "phone": p_phone[pid],
    })
    df.to_csv(path, index=False)
    return path.stat().st_size


def bench_scan(name: str, path: Path, nbytes: int, workdir: Path, repeat: int, csv: bool,
               every_cell: bool = True) -> list[dict]:
    py = sys.executable
    lib_script = workdir / ("lib_csv.py" if csv else "lib_notes.py")
    lib_script.write_text(LIBRARY_CSV if csv else LIBRARY_NOTES)
    rows = []
    for jobs in (1, 2):
        cases = {
            "command": [py, "-m", "deid.cli", "scan", str(path), "--format", "json", "-o", os.devnull,
                        "--jobs", str(jobs), "-q"],
            "library": [py, str(lib_script), str(path), str(jobs)] + (["distinct"] if csv else []),
        }
        if csv:  # the default format: a summary and the first findings, not every one
            cases["command, table"] = [py, "-m", "deid.cli", "scan", str(path), "-o", os.devnull,
                                       "--jobs", str(jobs), "-q"]
        if csv and every_cell:
            cases["library, every cell"] = [py, str(lib_script), str(path), str(jobs), "all"]
        times: dict[str, list[tuple[float, float]]] = {k: [] for k in cases}
        for _ in range(repeat):
            for label, cmd in cases.items():  # alternate, so load changes hit every case alike
                wall, cpu, _ = _timed(cmd, workdir)
                times[label].append((wall, cpu))
                print(f"  {name} jobs={jobs} {label}: {wall:.1f} s wall, {cpu:.1f} s CPU", flush=True)
        best = {k: min(v) for k, v in times.items()}
        for label, (wall, cpu) in best.items():
            rows.append({
                "data": name, "jobs": jobs, "case": label, "bytes": nbytes, "wall_s": round(wall, 2),
                "cpu_s": round(cpu, 2), "mb_per_s": round(nbytes / wall / 1e6, 3),
                "overhead_vs_library": round(wall / best["library"][0] - 1, 4) if label.startswith("command") else None,
                "cpu_overhead_vs_library": round(cpu / best["library"][1] - 1, 4) if label.startswith("command") else None,
            })
    return rows


def bench_hook(workdir: Path, runs: int) -> dict:
    py = sys.executable
    one = workdir / "hook"
    one.mkdir()
    (one / "visit.txt").write_text("Pt seen 7/22 by Dr. Omobuwa, call 617-555-0142.\n" * 20)
    gate = [py, "-m", "deid.cli", "gate", "visit.txt", "-q"]
    cases = {
        "gate_one_file": (gate, None, 1),
        "gate_one_file_eager_imports": (gate, {"DEID_EAGER_IMPORTS": "1"}, 1),
        "import_deid_text": ([py, "-c", "import deid.text"], None, 0),
        "python_startup": ([py, "-c", "pass"], None, 0),
    }
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for _ in range(runs):  # interleaved, so load changes hit every case alike
        for name, (cmd, env, expected) in cases.items():
            wall, cpu, code = _timed(cmd, one, env)
            assert code == expected, (name, code)
            times[name].append((wall, cpu))
    out = {}
    for name, got in times.items():
        walls = [w for w, _ in got]
        out[f"{name}_best_s"] = round(min(walls), 3)
        out[f"{name}_median_s"] = round(statistics.median(walls), 3)
        out[f"{name}_cpu_best_s"] = round(min(c for _, c in got), 3)
    out["runs"] = runs
    out["target_s"] = 2.0
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="5 MB of notes, 100,000 rows, 3 hook runs")
    ap.add_argument("--notes-mb", type=float, default=50.0)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--hook-runs", type=int, default=5)
    ap.add_argument("--skip-notes", action="store_true")
    ap.add_argument("--skip-csv", action="store_true")
    ap.add_argument("--no-every-cell", action="store_true", help="skip the naive library case (every CSV cell)")
    ap.add_argument("--output", default=None,
                    help=f"default {DEFAULT_OUTPUT.relative_to(REPO)} (--quick: cli_scan_quick.json beside it)")
    args = ap.parse_args(argv)
    if args.quick:
        args.notes_mb, args.rows, args.hook_runs = 5.0, 100_000, 3
    if args.output is None:
        args.output = str(DEFAULT_OUTPUT.with_name("cli_scan_quick.json") if args.quick else DEFAULT_OUTPUT)
    load = os.getloadavg()[0]
    print(f"load average at start: {load:.2f}", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="deid-cli-bench-"))
    results: dict = {
        "benchmark": "cli_scan",
        "command": ["python", os.path.relpath(__file__, REPO), *(sys.argv[1:] if argv is None else list(argv))],
        "commit": _commit(),
        "load_average_start": round(load, 2), "cpu_count": os.cpu_count(), "quick": args.quick,
        "settings": {"notes_mb": args.notes_mb, "rows": args.rows, "repeat": args.repeat, "hook_runs": args.hook_runs,
                     "skip_notes": args.skip_notes, "skip_csv": args.skip_csv, "every_cell": not args.no_every_cell},
    }
    try:
        # warm the lexicon cache once, so no case pays for building it
        subprocess.run([sys.executable, "-c", "from deid.text import Scrubber; Scrubber().detect('x')"],
                       env=_env(), check=True)
        results["hook"] = bench_hook(workdir, args.hook_runs)
        print("hook (best / median wall s, best CPU s; target < 2 s):", flush=True)
        for name in ("gate_one_file", "gate_one_file_eager_imports", "import_deid_text", "python_startup"):
            best, median, cpu = (results["hook"][f"{name}_{k}"] for k in ("best_s", "median_s", "cpu_best_s"))
            print(f"  {name:<30}{best:>7.2f}{median:>7.2f}{cpu:>7.2f}", flush=True)
        rows = []
        if not args.skip_notes:
            nbytes = make_notes(workdir / "notes", args.notes_mb)
            print(f"notes: {nbytes / 1e6:.1f} MB", flush=True)
            rows += bench_scan("notes", workdir / "notes", nbytes, workdir, args.repeat, csv=False)
            shutil.rmtree(workdir / "notes")
        if not args.skip_csv:
            csv_path = workdir / "visits.csv"
            nbytes = make_csv(csv_path, args.rows)
            print(f"csv: {args.rows:,} rows, {nbytes / 1e6:.1f} MB", flush=True)
            rows += bench_scan(f"csv {args.rows:,} rows", csv_path, nbytes, workdir, args.repeat, csv=True,
                               every_cell=not args.no_every_cell)
        results["scan"] = rows
        results["load_average_end"] = round(os.getloadavg()[0], 2)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\n{'data':<20}{'jobs':>5}  {'case':<20}{'wall s':>8}{'CPU s':>8}{'MB/s':>7}{'wall +':>8}{'CPU +':>8}")
    for r in results.get("scan", []):
        over = f"{r['overhead_vs_library']:+.1%}" if r["overhead_vs_library"] is not None else ""
        cpu_over = f"{r['cpu_overhead_vs_library']:+.1%}" if r["cpu_overhead_vs_library"] is not None else ""
        print(f"{r['data']:<20}{r['jobs']:>5}  {r['case']:<20}{r['wall_s']:>8.1f}{r['cpu_s']:>8.1f}"
              f"{r['mb_per_s']:>7.3f}{over:>8}{cpu_over:>8}")
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
