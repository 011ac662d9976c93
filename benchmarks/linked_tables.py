"""Speed and memory of deid.tabular.scrub_tables on five linked tables (prints a table, writes JSON).

The tables (issue 11), with synthetic data of realistic shape:

- ``patients``     P rows (default 100,000): patient_id (int), name, dob, sex, zip
- ``encounters``   E rows (1,000,000): encounter_id (int), patient_id, admit_time, discharge_time, dept
- ``labs``         L rows (10,000,000): encounter_id, charttime, itemid, value; no patient_id: each
                   lab reaches its patient through its encounter (``labs.encounter_id`` ->
                   ``encounters.patient_id``), as MIMIC's labs do through ``hadm_id``
- ``medications``  M rows (2,000,000): encounter_id, patient_id, starttime, drug, dose
- ``notes``        N rows (200,000): note_id, patient_id, encounter_id, chartdate and a short text
                   (~120 characters: a name, a date, an MRN, a clinician) scrubbed by the text engine

Relations: ``patient`` = patients.patient_id <- encounters, medications, notes; ``encounter`` =
encounters.encounter_id <- labs, medications, notes. Policies: the Safe Harbor preset with
``dates="shift"``. One fresh subprocess builds the tables, measures its resident set, resets the
peak (``/proc/self/clear_refs``), runs ``scrub_tables`` once, and reports wall and CPU seconds
(per table, by wrapping ``scrub_frame``), the peak resident set added over the tables (VmHWM;
the scrubbed tables, which the call returns, are part of it and are reported apart), and
checks on the result:

- every join of the raw data gives the same row count on the scrubbed data (the inner join's
  row count is computed from the key counts on both sides, sum of count_left * count_right,
  which equals ``len(left.merge(right))`` without materializing 10^7-row joins; one join is also
  merged for real as a cross-check);
- every patient's dates move by one offset in encounters, labs (through the encounter),
  medications and notes' chartdate.

Timings on the shared 2-core machine are noisy; compare the per-table shares within one run.

    PYTHONPATH=. python benchmarks/linked_tables.py            # full size: several minutes, ~6 GiB
    PYTHONPATH=. python benchmarks/linked_tables.py --quick    # 1/100 of the sizes, < 1 min
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
DEFAULT_OUTPUT = HERE / "results" / "linked_tables.json"
KEY = "benchmark key: fixed so runs are comparable"
REFERENCE = "2026-01-01"
RELATIONS = {
    "patient": ["patients.patient_id", "encounters.patient_id", "medications.patient_id", "notes.patient_id"],
    "encounter": ["encounters.encounter_id", "labs.encounter_id", "medications.encounter_id",
                  "notes.encounter_id"],
}
JOINS = [("encounters", "patients", "patient_id"), ("medications", "patients", "patient_id"),
         ("notes", "patients", "patient_id"), ("labs", "encounters", "encounter_id"),
         ("medications", "encounters", "encounter_id"), ("notes", "encounters", "encounter_id")]


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
def build_tables(n_patients: int, n_encounters: int, n_labs: int, n_meds: int, n_notes: int, seed: int = 0):
    import numpy as np
    import pandas as pd
    from faker.providers.person.en_US import Provider

    rng = np.random.default_rng(seed)
    first = np.array(sorted(Provider.first_names), dtype=object)
    last = np.array(sorted(Provider.last_names), dtype=object)
    pid = 10_000_000 + rng.permutation(n_patients * 3)[:n_patients].astype(np.int64)
    fn = first[rng.integers(0, len(first), n_patients)]
    ln = last[rng.integers(0, len(last), n_patients)]
    dob = pd.Timestamp("1915-01-01") + pd.to_timedelta(rng.integers(0, 95 * 365, n_patients), "D")
    patients = pd.DataFrame({
        "patient_id": pid,
        "name": pd.array(fn + " " + ln, dtype="str"),
        "dob": dob,
        "sex": pd.Categorical(rng.choice(["F", "M"], n_patients)),
        "zip": pd.array([f"{z:05d}" for z in rng.integers(1000, 99950, n_patients)], dtype="str"),
    })
    owner = rng.integers(0, n_patients, n_encounters)
    eid = 20_000_000 + np.arange(n_encounters, dtype=np.int64)
    admit = (np.datetime64("2008-01-01T00:00:00", "s")
             + rng.integers(0, 14 * 365 * 86400, n_encounters).astype("timedelta64[s]"))
    encounters = pd.DataFrame({
        "encounter_id": eid,
        "patient_id": pid[owner],
        "admit_time": admit,
        "discharge_time": admit + rng.integers(3600, 20 * 86400, n_encounters).astype("timedelta64[s]"),
        "dept": pd.Categorical(rng.choice(["ICU", "MED", "SURG", "ED", "OB"], n_encounters)),
    })
    lab_enc = rng.integers(0, n_encounters, n_labs)
    labs = pd.DataFrame({
        "encounter_id": eid[lab_enc],
        "charttime": admit[lab_enc] + rng.integers(0, 5 * 86400, n_labs).astype("timedelta64[s]"),
        "itemid": rng.integers(50800, 51000, n_labs).astype(np.int32),
        "value": rng.normal(5, 2, n_labs).astype(np.float32),
    })
    del lab_enc
    med_enc = rng.integers(0, n_encounters, n_meds)
    medications = pd.DataFrame({
        "encounter_id": eid[med_enc],
        "patient_id": pid[owner[med_enc]],
        "starttime": admit[med_enc] + rng.integers(0, 3 * 86400, n_meds).astype("timedelta64[s]"),
        "drug": pd.Categorical(rng.choice(["heparin", "insulin", "metoprolol", "vancomycin", "furosemide"], n_meds)),
        "dose": rng.integers(1, 100, n_meds).astype(np.int16),
    })
    note_enc = rng.integers(0, n_encounters, n_notes)
    note_pat = owner[note_enc]
    note_day = admit[note_enc].astype("datetime64[D]")
    complaints = np.array(["chest pain", "sob", "fever", "abd pain", "fall at home", "syncope"], dtype=object)
    doc = last[rng.integers(0, len(last), n_notes)]
    cc = complaints[rng.integers(0, len(complaints), n_notes)]
    follow = note_day + rng.integers(7, 60, n_notes).astype("timedelta64[D]")
    texts = [
        f"{fn[p]} {ln[p]} seen {pd.Timestamp(d):%m/%d/%Y}. MRN {pid[p]}. Pt c/o {c}; "
        f"f/u with Dr. {dr} on {pd.Timestamp(f):%m/%d}."
        for p, d, c, dr, f in zip(note_pat.tolist(), note_day, cc, doc, follow)
    ]
    notes = pd.DataFrame({
        "note_id": 30_000_000 + np.arange(n_notes, dtype=np.int64),
        "patient_id": pid[note_pat],
        "encounter_id": eid[note_enc],
        "chartdate": note_day.astype("datetime64[s]"),
        "text": pd.array(texts, dtype="str"),
    })
    return {"patients": patients, "encounters": encounters, "labs": labs, "medications": medications,
            "notes": notes}


def policies():
    from deid.tabular import Policy

    sh = Policy.safe_harbor(dates="shift", reference=REFERENCE)
    return {
        "patients": sh.with_columns(name="name", dob="birth_date", sex="attribute", zip="zip"),
        "encounters": sh.with_columns(admit_time="date", discharge_time="date", dept="attribute"),
        "labs": sh.with_columns(charttime="date", itemid="attribute", value="attribute"),
        "medications": sh.with_columns(starttime="date", drug="attribute", dose="attribute"),
        "notes": sh.with_columns(note_id="id", chartdate="date", text="text"),
    }


# ----------------------------------------------------------------------------- checks
def join_rows(left, right, column: str) -> int:
    """Rows of ``left.merge(right, on=column)`` (inner), from the key counts of both sides."""
    lc = left[column].value_counts(dropna=True)
    rc = right[column].value_counts(dropna=True)
    common = lc.index.intersection(rc.index)
    return int((lc.loc[common].to_numpy().astype("int64") * rc.loc[common].to_numpy().astype("int64")).sum())


def offset_check(raw, out) -> dict:
    """Whether each patient's dates moved by one offset across encounters, labs (through the
    encounter), medications and notes."""
    import numpy as np
    import pandas as pd

    enc = raw["encounters"]
    patient_of = pd.Series(enc["patient_id"].to_numpy(), index=enc["encounter_id"].to_numpy())
    parts = []
    for table, column, patients in [
        ("encounters", "admit_time", enc["patient_id"].to_numpy()),
        ("labs", "charttime", patient_of.reindex(raw["labs"]["encounter_id"].to_numpy()).to_numpy()),
        ("medications", "starttime", raw["medications"]["patient_id"].to_numpy()),
        ("notes", "chartdate", raw["notes"]["patient_id"].to_numpy()),
    ]:
        days = ((out[table][column].to_numpy() - raw[table][column].to_numpy()) // np.timedelta64(1, "D"))
        parts.append(pd.DataFrame({"p": patients, "d": days.astype(np.int64)}))
    rows = pd.concat(parts, ignore_index=True)
    per_patient = rows.groupby("p")["d"].nunique()
    return {"rows_checked": int(len(rows)), "patients": int(len(per_patient)),
            "patients_with_one_offset": int((per_patient == 1).sum()),
            "zero_offsets": int((rows["d"] == 0).sum())}


# ----------------------------------------------------------------------------- the measured run
def worker(spec: dict) -> dict:
    import resource

    import pandas as pd

    import deid.tabular._scrub as scrub_module
    from deid.tabular import scrub_tables

    t0 = time.perf_counter()
    tables = build_tables(spec["patients"], spec["encounters"], spec["labs"], spec["medications"], spec["notes"])
    build_s = time.perf_counter() - t0
    sizes = {name: {"rows": len(f), "mib": round(f.memory_usage(deep=True).sum() / 2**20, 1)}
             for name, f in tables.items()}
    # the text engine's models load before the clock starts (they are a one-time cost per process)
    from deid.text import Scrubber

    Scrubber(key=KEY).detect("warm up: Dr. Kowalski seen 7/22/2019")

    per_table: dict[str, dict] = {}
    original = scrub_module.scrub_frame
    order = iter(tables)  # scrub_tables scrubs the tables in their order

    def timed(df, policy, **kw):
        name = next(order)
        c0, w0 = time.process_time(), time.perf_counter()
        try:
            return original(df, policy, **kw)
        finally:
            per_table[name] = {"seconds": round(time.perf_counter() - w0, 2),
                               "cpu_s": round(time.process_time() - c0, 2)}

    scrub_module.scrub_frame = timed
    rss_before = _status_kib("VmRSS")
    reset = _reset_peak()
    c0, w0 = time.process_time(), time.perf_counter()
    out = scrub_tables(tables, policies(), key=KEY, relations=RELATIONS, n_process=spec["n_process"],
                       today=pd.Timestamp(REFERENCE).date())
    seconds = time.perf_counter() - w0
    cpu = time.process_time() - c0
    children_cpu = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    peak = _status_kib("VmHWM") if reset else None
    scrub_module.scrub_frame = original

    t1 = time.perf_counter()
    joins = []
    for left, right, column in JOINS:
        raw_rows = join_rows(tables[left], tables[right], column)
        out_rows = join_rows(out[left], out[right], column)
        joins.append({"join": f"{left}.{column} = {right}.{column}", "raw_rows": raw_rows,
                      "scrubbed_rows": out_rows, "equal": raw_rows == out_rows})
    merged_raw = len(tables["medications"].merge(tables["encounters"], on="encounter_id"))
    merged_out = len(out["medications"].merge(out["encounters"], on="encounter_id"))
    offsets = offset_check(tables, out)
    check_s = time.perf_counter() - t1
    total_mib = sum(s["mib"] for s in sizes.values())
    out_mib = sum(f.memory_usage(deep=True).sum() for f in out.values()) / 2**20
    return {
        "sizes": sizes, "tables_mib": round(total_mib, 1), "build_s": round(build_s, 1),
        "seconds": round(seconds, 2), "cpu_s": round(cpu, 2), "worker_cpu_s": round(children_cpu, 2),
        "per_table": per_table,
        "rss_before_mib": round(rss_before / 1024, 1) if rss_before else None,
        "peak_rss_mib": round(peak / 1024, 1) if peak else None,
        "added_mib": round((peak - rss_before) / 1024, 1) if peak and rss_before else None,
        "added_over_tables": round((peak - rss_before) / 1024 / total_mib, 2) if peak and rss_before else None,
        "scrubbed_tables_mib": round(out_mib, 1),
        "peak_reset": reset,
        "joins": joins, "all_joins_equal": all(j["equal"] for j in joins),
        "merge_cross_check": {"raw_rows": merged_raw, "scrubbed_rows": merged_out, "equal": merged_raw == merged_out},
        "offsets": offsets, "check_s": round(check_s, 1),
        "report": out.report.to_dict(orient="records"),
        "key_spaces": out.key_spaces.to_dict(orient="records"),
    }


def _spawn(spec: dict, timeout: float) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(spec)]
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"worker failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _commit() -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True,
                             cwd=ROOT).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "deid"], capture_output=True, text=True,
                               cwd=ROOT).stdout.strip()
        return sha + ("+local-changes" if dirty else "")
    except OSError:  # pragma: no cover
        return "unknown"


def run(args) -> dict:
    scale = 0.01 if args.quick else args.scale
    spec = {
        "patients": max(10, int(args.patients * scale)), "encounters": max(10, int(args.encounters * scale)),
        "labs": max(10, int(args.labs * scale)), "medications": max(10, int(args.medications * scale)),
        "notes": max(10, int(args.notes * scale)), "n_process": args.n_process,
    }
    results = {
        "benchmark": "linked_tables",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average_at_start": [round(x, 2) for x in os.getloadavg()]},
        "deid_commit": _commit(),
        "spec": spec,
        "quick": bool(args.quick),
    }
    results["run"] = _spawn(spec, timeout=args.timeout)
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return results


def print_table(results: dict) -> None:
    r = results["run"]
    print(f"scrub_tables on five linked tables (load average at start {results['machine']['load_average_at_start']})")
    print(f"{'table':<12} {'rows':>11} {'MiB':>8} {'seconds':>8} {'cpu s':>7}")
    for name, size in r["sizes"].items():
        t = r["per_table"].get(name, {})
        print(f"{name:<12} {size['rows']:>11,} {size['mib']:>8.1f} {t.get('seconds', float('nan')):>8.2f} "
              f"{t.get('cpu_s', float('nan')):>7.2f}")
    print(f"{'all':<12} {sum(s['rows'] for s in r['sizes'].values()):>11,} {r['tables_mib']:>8.1f} "
          f"{r['seconds']:>8.2f} {r['cpu_s']:>7.2f}  (+{r['worker_cpu_s']} s in text workers)")
    print(f"peak resident set {r['peak_rss_mib']} MiB; added over the tables {r['added_mib']} MiB "
          f"({r['added_over_tables']}x the tables' {r['tables_mib']} MiB), of which the scrubbed tables "
          f"(the result) hold {r.get('scrubbed_tables_mib')} MiB")
    print(f"{'join':<50} {'raw rows':>12} {'scrubbed rows':>14}")
    for j in r["joins"]:
        print(f"{j['join']:<50} {j['raw_rows']:>12,} {j['scrubbed_rows']:>14,} {'' if j['equal'] else 'DIFFERENT'}")
    mc = r["merge_cross_check"]
    print(f"cross-check by merge (medications x encounters): {mc['raw_rows']:,} = {mc['scrubbed_rows']:,}: "
          f"{mc['equal']}")
    o = r["offsets"]
    print(f"date offsets: {o['patients_with_one_offset']:,} of {o['patients']:,} patients have one offset over "
          f"{o['rows_checked']:,} dated rows; rows with offset 0: {o['zero_offsets']}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="1/100 of the sizes")
    p.add_argument("--scale", type=float, default=1.0, help="multiply every size (default 1)")
    p.add_argument("--patients", type=int, default=100_000)
    p.add_argument("--encounters", type=int, default=1_000_000)
    p.add_argument("--labs", type=int, default=10_000_000)
    p.add_argument("--medications", type=int, default=2_000_000)
    p.add_argument("--notes", type=int, default=200_000)
    p.add_argument("--n-process", type=int, default=2, help="text workers for the notes (default 2)")
    p.add_argument("--timeout", type=float, default=7200)
    p.add_argument("--output", type=Path, default=None, help=f"JSON output (default {DEFAULT_OUTPUT}; "
                                                             "--quick runs are not saved unless given)")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return 0
    results = run(args)
    print_table(results)
    output = args.output or (None if args.quick else DEFAULT_OUTPUT)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(results, indent=1) + "\n")
        print(f"wrote {output}")
    ok = results["run"]["all_joins_equal"] and results["run"]["merge_cross_check"]["equal"]
    o = results["run"]["offsets"]
    ok = ok and o["patients_with_one_offset"] == o["patients"] and o["zero_offsets"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
