"""Speed and memory of deid.verify (prints a table, writes JSON).

Cases (issue 10):

1. ``table``: N raw rows (default 1,000,000) x 10 columns of P patients (default 100,000):
   name, mrn, ssn, phone, email, street, city, dob, zip (identifier columns) and a short
   free-text comment, plus the row key ``encounter_id``. The "scrubbed" table is what a
   scrubber made of it: identifier columns replaced (surrogates, tags, suppressed), and
   survivals planted in 1% of the rows, each a different form: a name left verbatim in the
   comment, upper-cased, reversed ("LAST, First"), a phone with other separators, an SSN
   without dashes, a date of birth in another format, a structured cell left as it was. Run
   with the identifier columns declared (``identifiers=``) and the detector off
   (``detect=False``: the structured search alone); again pooled by patient
   (``patient_column="mrn"``); and with the detector over the comment column. Each run checks
   that every planted survival is reported and counts other reports.
2. ``notes``: synthetic clinical notes (``deid.synth``) scrubbed by ``deid.Scrubber``: verify
   (detector on) against ``Scrubber.detect_many`` on the same raw notes, alternating in one
   process: what the search adds to the text engine's own cost.

Every case runs in a fresh subprocess. Memory: the resident set before the call and its peak
during it (VmHWM, reset through /proc/self/clear_refs), against the two frames' size. Timings
on the shared 2-core machine are noisy: CPU seconds are given beside wall seconds.

    PYTHONPATH=. python benchmarks/verify_speed.py            # ~10 min under load
    PYTHONPATH=. python benchmarks/verify_speed.py --quick    # 100k rows, 100 notes
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

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_OUTPUT = HERE / "results" / "verify_speed.json"
KEY = "benchmark key: fixed so runs are comparable"
IDENTIFIERS = {"name": "NAME", "mrn": "MRN", "ssn": "SSN", "phone": "PHONE", "email": "EMAIL", "street": "ADDRESS",
               "city": "LOCATION", "dob": "birth_date", "zip": "ZIP"}
PLANTS = ("verbatim_name", "upper_name", "last_first", "phone_dots", "ssn_plain", "dob_text", "cell_left")


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


# ----------------------------------------------------------------------------- data
def tables(n_rows: int, n_patients: int, seed: int = 0):
    """(raw, scrubbed, planted) where planted lists (row, column, kind) of planted survivals."""
    import numpy as np
    import pandas as pd
    from faker.providers.address.en_US import Provider as Address
    from faker.providers.person.en_US import Provider as Person

    rng = np.random.default_rng(seed)
    first = np.array(list(Person.first_names), dtype=object)
    last = np.array(list(Person.last_names), dtype=object)
    streets = np.array(list(Address.street_suffixes), dtype=object)
    cities = np.array(list(Address.city_prefixes) + list(Address.city_suffixes), dtype=object)
    p_first = first[rng.integers(0, len(first), n_patients)]
    p_last = last[rng.integers(0, len(last), n_patients)]
    p_name = np.array([f"{f} {l}" for f, l in zip(p_first, p_last)], dtype=object)
    p_mrn = np.array([f"{m:08d}" for m in rng.choice(10**8, n_patients, replace=False)], dtype=object)
    p_ssn = np.array([f"{a:03d}-{g:02d}-{s:04d}" for a, g, s in zip(rng.integers(100, 899, n_patients),
                                                                     rng.integers(10, 99, n_patients),
                                                                     rng.integers(1000, 9999, n_patients))], dtype=object)
    p_phone = np.array([f"{a}-{b}-{c}" for a, b, c in zip(rng.integers(201, 990, n_patients),
                                                           rng.integers(200, 999, n_patients),
                                                           rng.integers(1000, 9999, n_patients))], dtype=object)
    p_email = np.array([f"{f.lower()}.{l.lower()}{i % 97}@example.org" for i, (f, l) in
                        enumerate(zip(p_first, p_last))], dtype=object)
    p_street = np.array([f"{n} {last[j]} {streets[k]}" for n, j, k in zip(
        rng.integers(1, 9999, n_patients), rng.integers(0, len(last), n_patients),
        rng.integers(0, len(streets), n_patients))], dtype=object)
    p_city = np.array([f"{last[j]}{cities[k].lower()}" for j, k in zip(rng.integers(0, len(last), n_patients),
                                                                        rng.integers(0, len(cities), n_patients))],
                      dtype=object)
    p_dob = (np.datetime64("1925-01-01") + rng.integers(0, 80 * 365, n_patients).astype("timedelta64[D]"))
    p_dob_text = np.datetime_as_string(p_dob, unit="D").astype(object)
    p_zip = np.array([f"{z:05d}" for z in rng.integers(1000, 99950, n_patients)], dtype=object)

    who = rng.integers(0, n_patients, n_rows)
    comments = np.array(["stable, plan home", "pt seen in clinic, no changes", "call back re: meds",
                         "labs pending, f/u 2 wks", "pain controlled, ambulating", "family updated at bedside"],
                        dtype=object)
    comment = comments[rng.integers(0, len(comments), n_rows)]
    s = lambda a: pd.array(a, dtype="str")  # noqa: E731
    raw = pd.DataFrame({
        "encounter_id": s([f"E{i:09d}" for i in range(n_rows)]),
        "name": s(p_name[who]), "mrn": s(p_mrn[who]), "ssn": s(p_ssn[who]), "phone": s(p_phone[who]),
        "email": s(p_email[who]), "street": s(p_street[who]), "city": s(p_city[who]),
        "dob": s(p_dob_text[who]), "zip": s(p_zip[who]), "comment": s(comment),
    })
    # the scrubber's output: surrogates from other patients (shuffled), tags, suppression
    shuffle = rng.permutation(n_patients)
    out_comment = comment.copy()
    scrubbed = pd.DataFrame({
        "encounter_id": raw["encounter_id"],
        "name": s(p_name[shuffle][who]), "mrn": s(np.char.add("PAT-", p_mrn[shuffle][who].astype(str)).astype(object)),
        "ssn": pd.array([None] * n_rows, dtype="str"), "phone": pd.array([None] * n_rows, dtype="str"),
        "email": s(np.full(n_rows, "[EMAIL]", dtype=object)), "street": s(p_street[shuffle][who]),
        "city": s(p_city[shuffle][who]), "dob": s(np.datetime_as_string(p_dob[shuffle][who], unit="Y").astype(object)),
        "zip": s(np.array([z[:3] for z in p_zip[who]], dtype=object)),
    })
    planted = []
    rows = rng.choice(n_rows, n_rows // 100, replace=False)
    cells_left = []
    for i, row in enumerate(rows.tolist()):
        kind = PLANTS[i % len(PLANTS)]
        p = who[row]
        if kind == "verbatim_name":
            text, col = f"seen with {p_name[p]} today", "comment"
        elif kind == "upper_name":
            text, col = f"PT {p_name[p].upper()} CALLED", "comment"
        elif kind == "last_first":
            text, col = f"cc: {p_last[p]}, {p_first[p]}", "comment"
        elif kind == "phone_dots":
            text, col = f"call back {p_phone[p].replace('-', '.')}", "comment"
        elif kind == "ssn_plain":
            text, col = f"ssn {p_ssn[p].replace('-', '')} on file", "comment"
        elif kind == "dob_text":
            d = p_dob[p].astype(object)
            text, col = f"born {d.strftime('%B')} {d.day}, {d.year}", "comment"
        else:
            cells_left.append(row)
            planted.append((row, "ssn", kind))
            continue
        out_comment[row] = text
        planted.append((row, col, kind))
    scrubbed["comment"] = s(out_comment)
    if cells_left:
        ssn = scrubbed["ssn"].astype(object).to_numpy().copy()
        ssn[cells_left] = p_ssn[who[cells_left]]
        scrubbed["ssn"] = s(ssn)
    return raw, scrubbed, planted


def notes(n_notes: int):
    from deid.synth import generate_corpus
    from deid.text import Scrubber

    corpus = generate_corpus(n_notes, seed=5)
    raw = [n.text for n in corpus.notes]
    scrubber = Scrubber(key=KEY)
    out = [r.text for r in scrubber.scrub_many(raw, [n.patient_id for n in corpus.notes])]
    return raw, out, scrubber


# ----------------------------------------------------------------------------- worker
def worker(spec: dict) -> dict:
    import gc

    from deid.verify import verify

    out: dict = {"load_average": [round(x, 2) for x in os.getloadavg()]}
    if spec["case"] == "table":
        raw, scrubbed, planted = tables(spec["rows"], spec["patients"])
        frames_bytes = int(raw.memory_usage(deep=True).sum() + scrubbed.memory_usage(deep=True).sum())
        kwargs = {"row_key": "encounter_id", "identifiers": IDENTIFIERS, "detect": spec["detect"]}
        if spec["detect"]:
            kwargs["text_columns"] = ["comment"]
        if spec["pooled"]:
            kwargs["patient_column"] = "mrn"
        from deid.text._lexicons import load_lexicons

        load_lexicons()  # loaded once per process (the detector's and the word rules'), not the call's
        verify(raw.head(200), scrubbed.head(200), **kwargs)  # warm-up: numba kernels, imports
        gc.collect()
        rss_before = _status_kib("VmRSS")
        reset = _reset_peak()
        t0, c0 = time.perf_counter(), time.process_time()
        result = verify(raw, scrubbed, **kwargs)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        peak = _status_kib("VmHWM") if reset else None
        found = set(zip(result.leaks["row"].astype(int).tolist(), result.leaks["column"].tolist()))
        missed = [kind for row, col, kind in planted if (row, col) not in found]
        expected = {(row, col) for row, col, _ in planted}
        out.update({
            "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
            "rows_per_second": round(len(raw) / seconds),
            "frames_mib": round(frames_bytes / 2**20, 1),
            "rss_before_mib": round(rss_before / 1024, 1) if rss_before else None,
            "peak_rss_mib": round(peak / 1024, 1) if peak else None,
            "added_mib": round((peak - rss_before) / 1024, 1) if peak and rss_before else None,
            "planted": len(planted), "planted_missed": len(missed), "missed_kinds": sorted(set(missed)),
            "other_reports": int(sum((r, c) not in expected for r, c in zip(result.leaks["row"].astype(int),
                                                                            result.leaks["column"]))),
            "leaks": result.n_leaks, "values_checked": result.n_checked,
            "by_match": {k: int(v) for k, v in result.counts("match").items()},
        })
        if out["added_mib"]:
            out["added_over_frames"] = round(out["added_mib"] * 2**20 / frames_bytes, 2)
        return out
    raw, scrubbed, scrubber = notes(spec["notes"])
    chars = sum(map(len, raw))
    verify(raw[:5], scrubbed[:5], scrubber=scrubber)  # warm-up
    best = {"detect_many": float("inf"), "verify": float("inf")}
    cpu = dict(best)
    result = None
    for _ in range(spec["repeat"]):
        for name in best:
            t0, c0 = time.perf_counter(), time.process_time()
            if name == "verify":
                result = verify(raw, scrubbed, scrubber=scrubber)
            else:
                sum(len(f) for f in scrubber.detect_many(raw))
            best[name] = min(best[name], time.perf_counter() - t0)
            cpu[name] = min(cpu[name], time.process_time() - c0)
    out.update({
        "notes": len(raw), "chars": chars,
        "seconds": {k: round(v, 3) for k, v in best.items()},
        "cpu_seconds": {k: round(v, 3) for k, v in cpu.items()},
        "chars_per_cpu_second": {k: round(chars / v) for k, v in cpu.items()},
        "verify_over_detect_cpu": round(cpu["verify"] / cpu["detect_many"], 3),
        "leaks": result.n_leaks, "detector_findings": result.n_detected,
        "by_entity_type": {k: int(v) for k, v in result.counts().items()},
    })
    return out


def _spawn(spec: dict, timeout: float) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(spec)],
                          capture_output=True, text=True, timeout=timeout, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"worker failed ({spec}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(args) -> dict:
    results: dict = {
        "benchmark": "verify_speed",
        "machine": {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count(),
                    "load_average_at_start": [round(x, 2) for x in os.getloadavg()]},
        "quick": args.quick,
        "table": [],
    }
    for detect, pooled in ((False, False), (False, True), (True, False)):
        spec = {"case": "table", "rows": args.rows, "patients": args.patients, "detect": detect, "pooled": pooled}
        print(f"  table {args.rows:,} rows x 10, detect={detect}, pooled={pooled} ...", file=sys.stderr, flush=True)
        results["table"].append({**spec, **_spawn(spec, timeout=3600)})
    spec = {"case": "notes", "notes": args.notes, "repeat": args.repeat}
    print(f"  notes: {args.notes} ...", file=sys.stderr, flush=True)
    results["notes"] = {**spec, **_spawn(spec, timeout=3600)}
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return results


def print_table(results: dict) -> None:
    print()
    print(f"{'table (10 columns)':<40} {'seconds':>8} {'cpu s':>7} {'rows/s':>9} {'frames MiB':>11} {'added MiB':>10} "
          f"{'planted':>8} {'missed':>7} {'other':>6}")
    for r in results["table"]:
        label = f"{r['rows']:,} rows, detect={r['detect']}, pooled={r['pooled']}"
        print(f"{label:<40} {r['seconds']:>8.1f} {r['cpu_seconds']:>7.1f} {r['rows_per_second']:>9,} "
              f"{r['frames_mib']:>11.1f} {r['added_mib'] or float('nan'):>10.1f} {r['planted']:>8} "
              f"{r['planted_missed']:>7} {r['other_reports']:>6}")
    n = results["notes"]
    print()
    print(f"notes: {n['notes']} ({n['chars']:,} chars): detect_many {n['chars_per_cpu_second']['detect_many'] / 1000:.1f} "
          f"kchar/CPU s, verify {n['chars_per_cpu_second']['verify'] / 1000:.1f} kchar/CPU s "
          f"(verify / detect CPU {n['verify_over_detect_cpu']}); leaks in deid's own output: {n['by_entity_type']}")
    print(f"load average at start {results['machine']['load_average_at_start']}, at end {results['load_average_at_end']}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--notes", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="100k rows, 10k patients, 100 notes")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return 0
    if args.quick:
        args.rows, args.patients, args.notes = 100_000, 10_000, 100
    results = run(args)
    print_table(results)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
