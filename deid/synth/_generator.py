"""The corpus generator: patients, their notes, and the labels."""

from __future__ import annotations

import datetime as _dt
import random
from collections.abc import Mapping

from ._builder import NoteBuilder, make_noise
from ._context import NoteContext
from ._model import Corpus, LabelledNote
from ._styles import STYLE_WRITERS
from ._world import World

#: The note styles, in a fixed order.
STYLES: tuple[str, ...] = tuple(STYLE_WRITERS)

#: Default share of each style: weighted toward ICU nursing notes, as in the held-out check.
DEFAULT_STYLE_WEIGHTS: dict[str, float] = {
    "nursing": 0.45, "discharge": 0.08, "radiology": 0.10, "social": 0.10, "progress": 0.10,
    "transfer": 0.07, "short": 0.10,
}


# Share of notes hard-wrapped at a fixed width, as exported nursing notes are: a newline
# may then fall inside a multi-word span ("St. Elsewhere\nHospital").
_WRAP_SHARE = {"nursing": 0.3, "progress": 0.15, "social": 0.15, "transfer": 0.2}
# Share of notes whose template text gets shorthand, typos and missing spaces.
_NOISE_SHARE = {"nursing": 0.6, "short": 0.4, "social": 0.3, "transfer": 0.3, "progress": 0.3}


def hard_wrap(text: str, width: int) -> str:
    r"""Replace spaces by newlines so that no line is longer than ``width`` where a space
    allows it. Same length as ``text``, so every offset stays valid.

    >>> hard_wrap("aaa bbb ccc", 7)
    'aaa bbb\nccc'
    """
    chars = list(text)
    start = 0
    n = len(text)
    while start < n:
        nl = text.find("\n", start)
        end = n if nl < 0 else nl
        while end - start > width:
            cut = text.rfind(" ", start, start + width + 1)
            if cut <= start:
                break
            chars[cut] = "\n"
            start = cut + 1
        start = end + 1
    return "".join(chars)


def _draw(rng, weights) -> int:
    """Index drawn with probability proportional to ``weights`` (one random number)."""
    r = rng.random() * sum(weights)
    for i, w in enumerate(weights):
        r -= w
        if r < 0:
            return i
    return max(i for i, w in enumerate(weights) if w > 0)


def _style_weights(styles) -> tuple[tuple[str, ...], list[float]]:
    if styles is None:
        styles = DEFAULT_STYLE_WEIGHTS
    if isinstance(styles, str):
        styles = [styles]
    if isinstance(styles, Mapping):
        items = list(styles.items())
    else:
        items = [(s, 1.0) for s in styles]
    unknown = [s for s, _ in items if s not in STYLE_WRITERS]
    if unknown:
        raise ValueError(f"unknown note style(s) {unknown}; known styles: {', '.join(STYLES)}")
    if not items:
        raise ValueError("styles is empty: give at least one style")
    weights = []
    for s, w in items:
        w = float(w)
        if not w >= 0:  # also rejects NaN
            raise ValueError(f"style weight for {s!r} must be >= 0")
        weights.append(w)
    if sum(weights) <= 0:
        raise ValueError("style weights sum to zero")
    return tuple(s for s, _ in items), weights


class CorpusGenerator:
    """Generate labelled synthetic clinical notes for a world of patients.

    Parameters
    ----------
    seed : int
        Same seed, same corpus (for a given set of installed package versions).
    styles : None, sequence of style names, or mapping style -> weight
        Share of each note style (see :data:`STYLES`); ``None`` uses
        :data:`DEFAULT_STYLE_WEIGHTS`, a sequence gives equal weights.
    notes_per_patient : float
        Mean number of notes per patient (each patient has 1 to 12).

    >>> gen = CorpusGenerator(seed=3, styles={"nursing": 1, "short": 1})
    >>> corpus = gen.generate(10)
    >>> sorted({n.style for n in corpus}) <= ["nursing", "short"]
    True
    """

    def __init__(self, seed: int = 0, styles=None, notes_per_patient: float = 4.0):
        self.seed = seed
        self.styles = styles
        self.notes_per_patient = notes_per_patient

    def generate(self, n_notes: int) -> Corpus:
        """Generate ``n_notes`` notes (the last patient may have fewer than drawn)."""
        if isinstance(n_notes, bool) or not isinstance(n_notes, int) or n_notes < 0:
            raise ValueError("n_notes must be a non-negative integer")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool):
            raise ValueError("seed must be an integer")
        if not 1.0 <= float(self.notes_per_patient) <= 12.0:
            raise ValueError("notes_per_patient must be between 1 and 12")
        names, weights = _style_weights(self.styles)
        world = World(self.seed)
        notes: list[LabelledNote] = []
        records = {}
        p_more = 1.0 - 1.0 / float(self.notes_per_patient)
        index = 0
        while len(notes) < n_notes:
            record, extras = world.patient(index)
            rng = random.Random(f"deid.synth:{self.seed}:plan:{index}")
            k = 1
            while k < 12 and rng.random() < p_more:
                k += 1
            k = min(k, n_notes - len(notes))
            los = rng.randint(max(1, k - 1), max(2, k + 12))
            days = sorted(rng.randint(0, los) for _ in range(k))
            records[record.patient_id] = record
            for j, offset in enumerate(days):
                notes.append(self._note(world, record, extras, index, j, offset, names, weights))
            index += 1
        return Corpus(notes=notes, records=records, seed=self.seed)

    def _note(self, world, record, extras, index, j, offset, names, weights) -> LabelledNote:
        rng = random.Random(f"deid.synth:{self.seed}:note:{index}:{j}")
        style = names[_draw(rng, weights)]
        writer, case_w = STYLE_WRITERS[style]
        case = ("upper", "lower", "mixed")[_draw(rng, case_w)]
        day = record.admission_date + _dt.timedelta(days=offset)
        if style in ("nursing", "transfer"):
            author = rng.choice(extras.nurses)
        elif style == "discharge":
            author = extras.attending
        elif style == "social":
            author = rng.choice(world.sws)
        elif style in ("radiology", "progress"):
            author = rng.choice(world.mds)
        else:
            author = rng.choice(world.staff)
        ctx = NoteContext(world, record, extras, rng, day, style, author, case)
        noise = None
        if rng.random() < _NOISE_SHARE.get(style, 0.0):
            noise = make_noise(rng, rng.choice((0.1, 0.25, 0.4)))
        b = NoteBuilder(case, noise)
        writer(ctx, b)
        text = b.value()
        if rng.random() < _WRAP_SHARE.get(style, 0.0):
            text = hard_wrap(text, rng.randint(58, 80))
        return LabelledNote(note_id=f"{record.patient_id}-{j + 1:02d}", patient_id=record.patient_id,
                            style=style, text=text, spans=b.spans, decoys=b.decoys, case=case)


def generate_corpus(n_notes: int, *, seed: int = 0, styles=None,
                    notes_per_patient: float = 4.0) -> Corpus:
    """Generate a labelled synthetic clinical corpus of ``n_notes`` notes.

    Shorthand for ``CorpusGenerator(seed, styles, notes_per_patient).generate(n_notes)``.

    >>> corpus = generate_corpus(5, seed=7)
    >>> note = corpus.notes[0]
    >>> all(note.text[s.start:s.end].strip() for s in note.spans)
    True
    """
    return CorpusGenerator(seed=seed, styles=styles, notes_per_patient=notes_per_patient).generate(n_notes)
