"""Known identifiers: what the structured record adds to detection, and what it costs.

1. ``accuracy``: deid's generated clinical corpus (``deid.synth``) with its structured
   records (``Corpus.records[patient_id]``, a ``PatientRecord``). Every note is read twice by
   the same ``deid.Scrubber`` in the same run: without known identifiers, and with the
   patient's record as known identifiers (``Scrubber.detect_many(..., known=...)``): NAME
   (the patient's full name with the middle name, the nickname, every contact's and every
   record clinician's name), MRN, SSN, PHONE (patient's and contacts'), DATE (date of birth),
   ADDRESS (street, P.O. box), LOCATION (city), ZIP, EMAIL, HEALTH_PLAN_ID. Scored with
   ``benchmarks/_text_eval.py``: recall and precision per entity type. NAME recall is given
   twice: over all NAME spans, and over the NAME spans of people *in the record* (patient,
   contacts, record clinicians: every word of the span is a word of one of their names, or
   the span is their initials) — the corpus also names nurses, typists and other clinicians
   that no record lists, which known identifiers cannot help with. Targets: NAME recall of
   names in the record >= 0.995 with known identifiers; overall precision lost <= 0.01.
2. ``speed``: throughput with 1,000 known values per patient (names, phones, dates, streets,
   e-mails, SSNs, MRNs from Faker pools) for each of 100,000 patients: one KnownIdentifiers per
   patient. Measured on synthetic notes each of a different patient: the build time per
   patient (and per value), the matching cost with pre-built KnownIdentifiers, and the whole
   (build + detect, one, four and sixteen notes per patient), against ``detect_many``
   without known identifiers, alternating whole runs in one process; and the matching cost
   note by note (each note without and with its patient's values back to back, best of the
   repeats per note), which the shared machine's changing load disturbs much less. Target:
   matching at >= 90% of the throughput without known identifiers. The 100,000-patient figures (total build time, memory) are
   extrapolated from the measured patients. When it is slower, a profile of the build and of
   the matching says where (top functions by own time).

    PYTHONPATH=. python benchmarks/known_identifiers.py            # ~10 min under load
    PYTHONPATH=. python benchmarks/known_identifiers.py --quick    # ~2 min
    PYTHONPATH=. python benchmarks/known_identifiers.py --only accuracy --seed 4242   # develop on
        # another corpus than the reported one, so the figures are not tuned to it
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import re
import sys
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import _text_eval  # noqa: E402

DEFAULT_OUTPUT = HERE / "results" / "known_identifiers.json"
SEED = 20261123  # the corpus of text_accuracy.py
KEY = "benchmark key: fixed so runs are comparable"
_TITLE_WORDS = {"dr", "doctor", "mr", "mrs", "ms", "miss", "md", "rn", "np", "pa", "do", "phd", "licsw", "lpn",
                "cna", "rrt", "pt", "ot", "msw", "jr", "sr", "ii", "iii", "crna", "dpm", "pharmd"}
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")


# ----------------------------------------------------------------------------- accuracy
def record_known(rec) -> dict[str, list[str]]:
    """A patient's structured record as known identifiers (entity type -> values)."""
    names = [" ".join(p for p in (rec.first_name, rec.middle_name, rec.last_name) if p)]
    if rec.nickname:
        names.append(rec.nickname)
    names += [f"{c.first_name} {c.last_name}" for c in rec.contacts]
    names += [f"{c.first_name} {c.last_name}" for c in rec.clinicians]
    address = rec.address
    known = {
        "NAME": names,
        "MRN": [rec.mrn],
        "SSN": [rec.ssn],
        "PHONE": [rec.phone] + [c.phone for c in rec.contacts],
        "DATE": [rec.date_of_birth.isoformat()],
        "ADDRESS": [address.street] + ([address.po_box] if address.po_box else []),
        "LOCATION": [address.city],
        "ZIP": [address.zip],
        "HEALTH_PLAN_ID": [rec.health_plan_id],
    }
    if rec.email:
        known["EMAIL"] = [rec.email]
    return known


def _record_people(rec) -> tuple[set[str], set[str]]:
    """Lower-case name words of the record's people, and their initials."""
    people = [(rec.first_name, rec.middle_name, rec.last_name, rec.nickname)]
    people += [(c.first_name, "", c.last_name, "") for c in rec.contacts]
    people += [(c.first_name, "", c.last_name, "") for c in rec.clinicians]
    words, initials = set(), set()
    for first, middle, last, nick in people:
        for part in (first, middle, last, nick):
            words.update(w.lower() for w in _WORD.findall(part or ""))
        f, l = (first or "?")[0].lower(), (last or "?")[0].lower()
        initials.update({f + l, f + (middle or "?")[0].lower() + l})
    return words, initials


def name_in_record(span_text: str, words: set[str], initials: set[str]) -> bool:
    toks = [w.lower() for w in _WORD.findall(span_text) if w.lower() not in _TITLE_WORDS]
    long = [t for t in toks if len(t) > 1]
    if long and all(t in words for t in long):
        return True
    letters = "".join(c for c in span_text.lower() if c.isalpha())
    return 2 <= len(letters) <= 3 and letters in initials


def accuracy(n_notes: int, seed: int = SEED) -> dict:
    from deid.synth import generate_corpus
    from deid.text import Scrubber

    corpus = generate_corpus(n_notes, seed=seed)
    docs = [_text_eval.Doc(n.text, [(s.start, s.end, s.entity_type) for s in n.spans], []) for n in corpus.notes]
    texts = [n.text for n in corpus.notes]
    known = [record_known(corpus.records[n.patient_id]) for n in corpus.notes]
    scrubber = Scrubber(key=KEY)
    scrubber.detect("warm up: Dr. Kowalski saw the patient on 7/22.")
    t0 = time.perf_counter()
    plain = list(scrubber.detect_many(texts))
    t_plain = time.perf_counter() - t0
    t0 = time.perf_counter()
    with_known = list(scrubber.detect_many(texts, known=known))
    t_known = time.perf_counter() - t0
    out = {"seed": seed, "notes": len(texts), "chars": sum(map(len, texts)), "patients": len(corpus.records),
           "seconds_without": round(t_plain, 2), "seconds_with": round(t_known, 2)}
    for label, found in (("without", plain), ("with", with_known)):
        preds = [[(f.start, f.end, f.entity_type) for f in fs] for fs in found]
        scored = _text_eval.score(docs, preds)
        out[label] = {
            "recall": round(scored["recall"], 4), "precision": round(scored["precision"], 4),
            "f2": round(scored["f2"], 4),
            "per_type": {t: {k: (round(v, 4) if isinstance(v, float) else v) for k, v in d.items()}
                         for t, d in scored["per_type"].items()},
            "findings": sum(len(fs) for fs in found),
            "known_findings": sum(1 for fs in found for f in fs if f.recognizer == "known"),
        }
        # NAME recall over names of the record's people, and over the others
        hit = defaultdict(int)
        total = defaultdict(int)
        missed_forms = defaultdict(int)  # how the missed names of the record were written (Span.form)
        for note, fs in zip(corpus.notes, found):
            words, initials = _record_people(corpus.records[note.patient_id])
            spans = sorted((f.start, f.end) for f in fs)
            for g in note.spans:
                if g.entity_type != "NAME":
                    continue
                group = "in_record" if name_in_record(note.text[g.start:g.end], words, initials) else "not_in_record"
                total[group] += 1
                if any(s < g.end and g.start < e for s, e in spans):
                    hit[group] += 1
                elif group == "in_record":
                    missed_forms[g.form] += 1
        out[label]["name_recall"] = {g: round(hit[g] / total[g], 4) if total[g] else None for g in total}
        out[label]["name_spans"] = dict(total)
        out[label]["name_in_record_missed_by_form"] = dict(sorted(missed_forms.items(), key=lambda kv: -kv[1]))
    out["precision_lost"] = round(out["without"]["precision"] - out["with"]["precision"], 4)
    return out


# ----------------------------------------------------------------------------- speed
def faker_pools(size: int, seed: int) -> dict[str, list[str]]:
    """Pools of realistic values per entity type (Faker, en_US), ``size`` each."""
    from faker import Faker

    fake = Faker("en_US")
    Faker.seed(seed)
    return {
        "NAME": [fake.name() for _ in range(size)],
        "PHONE": [fake.phone_number() for _ in range(size)],
        "DATE": [fake.date_of_birth().isoformat() for _ in range(size)],
        "ADDRESS": [fake.street_address() for _ in range(size)],
        "EMAIL": [fake.email() for _ in range(size)],
        "SSN": [fake.ssn() for _ in range(size)],
        "MRN": [f"{fake.random_number(digits=8):08d}" for _ in range(size)],
    }


# the mix of a patient's 1,000 values: a record with its history of contacts, numbers, addresses
MIX = {"NAME": 300, "PHONE": 150, "DATE": 100, "ADDRESS": 150, "EMAIL": 100, "SSN": 50, "MRN": 150}


def patient_values(pools, rng, n_values: int) -> dict[str, list[str]]:
    scale = n_values / sum(MIX.values())
    out = {}
    for entity, count in MIX.items():
        pool = pools[entity]
        idx = rng.choice(len(pool), max(1, round(count * scale)), replace=False)
        out[entity] = [pool[i] for i in idx]
    return out


def _profile(fn, top: int = 12) -> list[dict]:
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    stream = io.StringIO()
    stats = pstats.Stats(prof, stream=stream)
    rows = []
    for (file, line, name), (cc, nc, tt, ct, _) in sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:top]:
        rows.append({"function": f"{Path(file).name}:{line}({name})", "calls": nc, "own_seconds": round(tt, 3),
                     "cumulative_seconds": round(ct, 3)})
    return rows


def speed(n_notes: int, n_values: int, n_patients: int, repeat: int, pool_size: int) -> dict:
    import numpy as np

    from deid.synth import generate_corpus
    from deid.text import KnownIdentifiers, Scrubber

    corpus = generate_corpus(n_notes, seed=SEED + 1)
    texts = [n.text for n in corpus.notes]
    chars = sum(map(len, texts))
    pools = faker_pools(pool_size, seed=7)
    rng = np.random.default_rng(11)
    # each note is of a different patient out of n_patients (ids drawn without replacement)
    patient_ids = rng.choice(n_patients, len(texts), replace=False)
    values = [patient_values(pools, np.random.default_rng(int(p)), n_values) for p in patient_ids]
    scrubber = Scrubber(key=KEY)
    scrubber.detect("warm up: Dr. Kowalski saw the patient on 7/22.")
    KnownIdentifiers(values[0])  # warm up: lexicons, date parser

    def build_all():
        return [KnownIdentifiers(v) for v in values]

    def detect_plain():
        return sum(len(f) for f in scrubber.detect_many(texts))

    def detect_prebuilt():
        return sum(len(f) for f in scrubber.detect_many(texts, known=prebuilt))

    def detect_building(k: int):
        """k notes per patient: each patient's KnownIdentifiers is built once, for its k notes."""
        def run():
            cache: dict[int, KnownIdentifiers] = {}

            def known_for(i):
                got = cache.get(i // k)
                if got is None:
                    cache.clear()
                    got = cache[i // k] = KnownIdentifiers(values[i // k])
                return got

            return sum(len(f) for f in scrubber.detect_many(texts, known=(known_for(i) for i in range(len(texts)))))
        return run

    def detect_mapping():  # mappings, as scrub_many(known=[...]) takes them: the Scrubber's cache builds
        scrubber.__dict__.pop("_known_cache", None)  # as if these patients were new
        return sum(len(f) for f in scrubber.detect_many(texts, known=values))

    prebuilt = build_all()
    best = defaultdict(lambda: float("inf"))
    cpu = defaultdict(lambda: float("inf"))
    # plain and prebuilt side by side: the run right after a build (hundreds of megabytes
    # allocated and freed) is slower whatever it does
    runs = {"plain": detect_plain, "prebuilt": detect_prebuilt, "build": build_all,
            "building_1": detect_building(1), "building_4": detect_building(4), "building_16": detect_building(16),
            "mapping_1": detect_mapping}
    for _ in range(repeat):  # alternate, so every variant sees the same load
        for name, fn in runs.items():
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
            cpu[name] = min(cpu[name], time.process_time() - c0)
    # the same comparison note by note: each note detected without and with its patient's
    # prebuilt values back to back (order alternating), thread CPU time, best of `repeat` per
    # note and variant. Whole runs of a few seconds each see the shared machine's load change
    # between them; a pair of runs a few milliseconds apart sees the same load.
    note_best = [[float("inf"), float("inf")] for _ in texts]
    for r in range(max(repeat, 3)):
        for i, text in enumerate(texts):
            for which in ((0, 1) if (i + r) % 2 == 0 else (1, 0)):
                t0 = time.thread_time()
                scrubber.detect(text, known=prebuilt[i] if which else None)
                note_best[i][which] = min(note_best[i][which], time.thread_time() - t0)
    paired_plain = sum(b[0] for b in note_best)
    paired_known = sum(b[1] for b in note_best)
    # memory of one KnownIdentifiers of n_values values
    tracemalloc.start()
    sample = [KnownIdentifiers(v) for v in values[:50]]
    mem_per_patient = tracemalloc.get_traced_memory()[0] / len(sample)
    tracemalloc.stop()
    del sample
    per_build = cpu["build"] / len(values)
    out = {
        "notes": len(texts), "chars": chars, "values_per_patient": n_values,
        "values_per_patient_measured": sum(len(x) for x in values[0].values()),
        "patients_simulated": n_patients, "patients_measured": len(values), "mix": MIX,
        "seconds": {k: round(v, 3) for k, v in best.items()},
        "cpu_seconds": {k: round(v, 3) for k, v in cpu.items()},
        "chars_per_cpu_second": {k: round(chars / cpu[k]) for k in runs if k != "build"},
        "paired_cpu_seconds": {"plain": round(paired_plain, 3), "prebuilt": round(paired_known, 3)},
        "build_ms_per_patient": round(per_build * 1000, 2),
        "build_us_per_value": round(per_build / n_values * 1e6, 2),
        "memory_kib_per_patient": round(mem_per_patient / 1024, 1),
        "extrapolated_100k": {
            "build_cpu_minutes": round(per_build * n_patients / 60, 1),
            "memory_gib_if_all_kept": round(mem_per_patient * n_patients / 2**30, 1),
        },
    }
    out["throughput_ratio"] = {
        "matching_prebuilt_vs_plain": round(cpu["plain"] / cpu["prebuilt"], 3),
        "matching_prebuilt_vs_plain_paired_by_note": round(paired_plain / paired_known, 3),
        "build_and_match_1_note_per_patient_vs_plain": round(cpu["plain"] / cpu["building_1"], 3),
        "build_and_match_4_notes_per_patient_vs_plain": round(cpu["plain"] / cpu["building_4"], 3),
        "build_and_match_16_notes_per_patient_vs_plain": round(cpu["plain"] / cpu["building_16"], 3),
        "mappings_1_note_per_patient_vs_plain": round(cpu["plain"] / cpu["mapping_1"], 3),
    }
    out["target_met"] = {k: v >= 0.9 for k, v in out["throughput_ratio"].items()}
    if not all(out["target_met"].values()):
        n = min(100, len(texts))
        out["profile_build"] = _profile(lambda: [KnownIdentifiers(v) for v in values[:n]])
        subset, known_subset = texts[:n], prebuilt[:n]
        with_known = _profile_stats(lambda: list(scrubber.detect_many(subset, known=known_subset)))
        plain = _profile_stats(lambda: list(scrubber.detect_many(subset)))
        # where matching adds time: own time per function with known identifiers minus without
        delta = {f: (with_known[f][0] - plain.get(f, (0.0, 0))[0], with_known[f][1] - plain.get(f, (0.0, 0))[1])
                 for f in with_known}
        out["profile_matching_added"] = [
            {"function": f, "added_own_seconds": round(d, 3), "added_calls": c}
            for f, (d, c) in sorted(delta.items(), key=lambda kv: -kv[1][0])[:12]]
        out["profile_notes"] = n
    return out


def _profile_stats(fn) -> dict[str, tuple[float, int]]:
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    stats = pstats.Stats(prof)
    return {f"{Path(file).name}:{line}({name})": (tt, nc) for (file, line, name), (cc, nc, tt, ct, _) in
            stats.stats.items()}


# ----------------------------------------------------------------------------- report
def print_table(results: dict) -> None:
    acc = results.get("accuracy")
    if acc:
        print(f"\naccuracy: {acc['notes']} notes, {acc['patients']} patients, {acc['chars']:,} chars "
              f"(without {acc['seconds_without']} s, with {acc['seconds_with']} s)")
        print(f"{'type':<16} {'gold':>6} {'recall w/o':>10} {'recall with':>11} {'typed w/o':>10} {'typed with':>10} "
              f"{'prec w/o':>9} {'prec with':>10}")
        types = sorted(set(acc["without"]["per_type"]) | set(acc["with"]["per_type"]))
        for t in types:
            a, b = acc["without"]["per_type"].get(t, {}), acc["with"]["per_type"].get(t, {})

            def f(x):
                return "-" if x is None else f"{x:.4f}"

            print(f"{t:<16} {a.get('gold', 0):>6} {f(a.get('recall')):>10} {f(b.get('recall')):>11} "
                  f"{f(a.get('typed_recall')):>10} {f(b.get('typed_recall')):>10} "
                  f"{f(a.get('precision')):>9} {f(b.get('precision')):>10}")
        for label in ("without", "with"):
            r = acc[label]
            print(f"overall {label:<8} recall {r['recall']:.4f} precision {r['precision']:.4f} f2 {r['f2']:.4f}; "
                  f"NAME recall: in record {r['name_recall'].get('in_record')}, "
                  f"not in record {r['name_recall'].get('not_in_record')} "
                  f"(spans {r['name_spans']}); findings {r['findings']}, known {r['known_findings']}")
        print(f"precision lost: {acc['precision_lost']}")
        print("NAME spans of the record missed with known identifiers, by form:",
              ", ".join(f"{k} {v}" for k, v in acc["with"]["name_in_record_missed_by_form"].items()))
    sp = results.get("speed")
    if sp:
        print(f"\nspeed: {sp['notes']} notes ({sp['chars']:,} chars), {sp['values_per_patient']} values per patient, "
              f"{sp['patients_measured']} patients measured of {sp['patients_simulated']:,}")
        for k, v in sp["chars_per_cpu_second"].items():
            print(f"  {k:<12} {v / 1000:>8.1f} kchar per CPU second  (wall {sp['seconds'][k]} s)")
        print(f"  build: {sp['build_ms_per_patient']} ms per patient ({sp['build_us_per_value']} us per value), "
              f"{sp['memory_kib_per_patient']} KiB per patient; 100k patients: "
              f"{sp['extrapolated_100k']['build_cpu_minutes']} CPU min to build, "
              f"{sp['extrapolated_100k']['memory_gib_if_all_kept']} GiB if all kept")
        print(f"  note by note (best of each pair's runs): plain {sp['paired_cpu_seconds']['plain']} s, "
              f"prebuilt {sp['paired_cpu_seconds']['prebuilt']} s CPU")
        print("  ratios:", ", ".join(f"{k} {v}" for k, v in sp["throughput_ratio"].items()))
        if "profile_build" in sp:
            print(f"  building {sp['profile_notes']} patients' KnownIdentifiers, top by own time (profiled):")
            for row in sp["profile_build"][:10]:
                print(f"    {row['own_seconds']:>7.3f} s own {row['cumulative_seconds']:>7.3f} s cum "
                      f"{row['calls']:>8} calls  {row['function']}")
            print(f"  matching on {sp['profile_notes']} notes: own time added by known identifiers (profiled):")
            for row in sp["profile_matching_added"][:10]:
                print(f"    {row['added_own_seconds']:>7.3f} s {row['added_calls']:>8} calls  {row['function']}")
    print(f"\nload average at start {results['machine']['load_average_at_start']}, "
          f"at end {results['load_average_at_end']}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-notes", type=int, default=2000, help="accuracy corpus (default 2000)")
    parser.add_argument("--speed-notes", type=int, default=400, help="notes (= patients) timed (default 400)")
    parser.add_argument("--values", type=int, default=1000, help="known values per patient (default 1000)")
    parser.add_argument("--patients", type=int, default=100_000, help="patients simulated (default 100,000)")
    parser.add_argument("--pool", type=int, default=20_000, help="Faker values per type (default 20,000)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="timed runs of each variant, alternating; the best is kept (default 3)")
    parser.add_argument("--only", choices=("accuracy", "speed"))
    parser.add_argument("--seed", type=int, default=SEED,
                        help=f"accuracy corpus seed (default {SEED}, text_accuracy.py's; develop on another)")
    parser.add_argument("--quick", action="store_true", help="300 notes, 100 timed, pools of 5,000")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if args.quick:
        args.n_notes, args.speed_notes, args.pool = 300, 100, 5000
    results: dict = {
        "benchmark": "known_identifiers",
        "machine": {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count(),
                    "load_average_at_start": [round(x, 2) for x in os.getloadavg()]},
        "quick": args.quick,
        "targets": {"name_recall_in_record_with_known": 0.995, "precision_lost_at_most": 0.01,
                    "throughput_ratio_at_least": 0.9},
    }
    if args.only in (None, "accuracy"):
        print(f"  accuracy on {args.n_notes} notes ...", file=sys.stderr, flush=True)
        results["accuracy"] = accuracy(args.n_notes, args.seed)
    if args.only in (None, "speed"):
        print(f"  speed: {args.speed_notes} notes, {args.values} values per patient ...", file=sys.stderr, flush=True)
        results["speed"] = speed(args.speed_notes, args.values, args.patients, args.repeat, args.pool)
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print_table(results)
    if "accuracy" in results:
        acc = results["accuracy"]
        results["target_met"] = {
            "name_recall_in_record": (acc["with"]["name_recall"].get("in_record") or 0) >= 0.995,
            "precision_lost": acc["precision_lost"] <= 0.01,
        }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
