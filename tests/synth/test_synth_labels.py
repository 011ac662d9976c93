"""Labels are exact, follow the documented conventions, and cover every listed form."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import pytest

from deid.entities import ENTITY_TYPES
from deid.synth import STYLES
from deid.synth._lexicons import COMMON_WORD_FIRST, COMMON_WORD_LAST, lexicon_names


def _spans(corpus, entity_type=None):
    """(note, span, span text); a hard-wrapped note may have a newline inside a multi-word
    span ("St. Elsewhere\nHospital"): it is read as a space here."""
    for note in corpus:
        for s in note.spans:
            if entity_type is None or s.entity_type == entity_type:
                yield note, s, note.text[s.start:s.end].replace("\n", " ")


def _shape(form: str) -> str:
    return form.split(".")[1] if form.count(".") else form


def test_every_span_slices_to_clean_text_without_overlap(corpus500):
    n_spans = 0
    for note in corpus500:
        note.check()  # raises on out-of-range, empty, padded or overlapping spans
        for s in note.spans:
            assert s.entity_type in ENTITY_TYPES
            assert 0 <= s.start < s.end <= len(note.text)
            n_spans += 1
        intervals = sorted([(s.start, s.end) for s in note.spans] + [(d.start, d.end) for d in note.decoys])
        for (a0, a1), (b0, b1) in zip(intervals, intervals[1:]):
            assert a1 <= b0, f"note {note.note_id}: a decoy overlaps a span or another decoy"
    assert n_spans > 500 * 5


def test_some_notes_are_hard_wrapped_without_moving_offsets(corpus500):
    wrapped = [n for n in corpus500 if n.style == "nursing" and len(n.text) > 300
               and max(len(line) for line in n.text.split("\n")) <= 80]
    assert len(wrapped) > 20
    inside = sum("\n" in n.text[s.start:s.end] for n in corpus500 for s in n.spans)
    assert inside > 0  # a wrap fell inside a multi-word span, which is still one span


def test_check_rejects_bad_spans():
    from deid.synth import LabelledNote, Span

    bad = [LabelledNote("n", "p", "short", "Ann Lee", [Span(0, 4, "NAME")]),   # trailing space
           LabelledNote("n", "p", "short", "Ann Lee", [Span(0, 9, "NAME")]),   # past the end
           LabelledNote("n", "p", "short", "Ann Lee", [Span(0, 3, "NAME"), Span(2, 7, "NAME")])]
    for note in bad:
        with pytest.raises(ValueError):
            note.check()
    with pytest.raises(ValueError):
        Span(0, 3, "PERSON")


def test_each_style_and_casing_occurs(corpus500):
    styles = Counter(n.style for n in corpus500)
    assert set(styles) == set(STYLES)
    assert styles.most_common(1)[0][0] == "nursing"  # default weights favour nursing notes
    cases = Counter(n.case for n in corpus500)
    assert cases["upper"] > 25 and cases["lower"] > 25 and cases["mixed"] > 100
    for n in corpus500:
        letters = re.sub(r"[^A-Za-z]", "", n.text)
        if n.case == "upper":
            assert letters == letters.upper()
        elif n.case == "lower":
            assert letters == letters.lower()


# entity type -> form -> regex the span text must match (case-insensitive)
FORM_SHAPES = {
    "DATE": {
        "md": r"\d{1,2}/\d{1,2}", "md0": r"\d{2}/\d{2}", "mdyy": r"\d{1,2}/\d{1,2}/\d{2}",
        "mdyyyy": r"\d{1,2}/\d{1,2}/\d{4}", "iso": r"\d{4}-\d{2}-\d{2}",
        "month_dth": r"[a-z]+ \d{1,2}(st|nd|rd|th)", "d_month": r"\d{1,2} [a-z]+",
        "mon_d_yyyy": r"[a-z]{3,4}\.? \d{1,2}, \d{4}", "dth_of_month": r"\d{1,2}(st|nd|rd|th) of [a-z]+",
        "year_apos": r"'\d{2}", "year": r"(19|20)\d{2}", "month_yyyy": r"[a-z]+ \d{4}",
        "weekday": r"(mon|tues|wednes|thurs|fri|satur|sun)day", "holiday": r"[a-z' ]+",
        "ts_iso": r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?",
        "ts_us": r"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}(:\d{2})?( [ap]m)?",
    },
    "AGE": {"yo": r"9\d|1[01]\d", "y/o": r"9\d|1[01]\d", "age": r"9\d|1[01]\d",
            "words": r"(ninety|one hundred)[a-z -]*"},
    "PHONE": {
        "paren": r"\(\d{3}\) \d{3}-\d{4}", "dash": r"\d{3}-\d{3}-\d{4}", "dot": r"\d{3}\.\d{3}\.\d{4}",
        "plain": r"\d{10}", "local": r"\d{3}-\d{4}", "intl": r"\+1 \d{3} \d{3} \d{4}",
        "ext": r"\d{3}-\d{3}-\d{4} ?(x|ext\.?) ?\d{3,5}", "pager": r"#?\d{1,3}-?\d{4}",
    },
    "ADDRESS": {"street": r"\d+[ab]? [a-z0-9 .'-]+", "po_box": r"p\.o\. box \d+",
                "unit": r"(apt\.?|unit|#|apartment|suite) ?[0-9a-z]+"},
    "SSN": {"dash": r"\d{3}-\d{2}-\d{4}", "last4": r"\d{4}"},
    "MRN": {"full": r"\d{7,8}", "stripped": r"[1-9]\d{4,7}", "dashed": r"\d{3,4}-\d{4}",
            "bare_full": r"\d{7,8}"},
    "LICENSE": {"dea": r"[abfgm][a-z]\d{7}", "npi": r"[12]\d{9}", "state_license": r"[a-z]{0,3}\d{5,8}"},
    "VEHICLE_ID": {"vin": r"[a-hj-npr-z0-9]{17}", "plate": r"[a-z0-9 -]{5,8}"},
    "ZIP": {"zip5": r"\d{5}"},
    "IP_ADDRESS": {"ipv4": r"\d{1,3}(\.\d{1,3}){3}"},
    "LOCATION": {"city": r"[a-z .'-]+", "county": r"[a-z .'-]+",
                 "hospital": r".+", "nursing_home": r".+", "ward_named": r"[a-z' -]+ \d{1,2}",
                 "foreign_city": r"[a-z .'-]+", "room_at_facility": r"\d{3}"},
}
OTHER_TYPES = ("FAX", "EMAIL", "HEALTH_PLAN_ID", "ACCOUNT", "DEVICE_ID", "URL", "ID")


def test_every_listed_form_occurs_and_looks_like_its_form(corpus500):
    seen = defaultdict(Counter)
    for _note, s, text in _spans(corpus500):
        seen[s.entity_type][s.form.split(".invalid")[0]] += 1
        shapes = FORM_SHAPES.get(s.entity_type, {})
        pattern = shapes.get(s.form.split(".invalid")[0])
        if pattern:
            assert re.fullmatch(pattern, text, re.I), f"{s.entity_type}/{s.form} span has the wrong shape"
    for etype, shapes in FORM_SHAPES.items():
        for form in shapes:
            assert seen[etype][form] > 0, f"no {etype} span of form {form!r} in 500 notes"
    for etype in OTHER_TYPES:
        assert sum(seen[etype].values()) > 0, f"no {etype} span in 500 notes"
    assert set(seen) == set(ENTITY_TYPES)


def test_name_forms_cover_patients_clinicians_relatives(corpus500):
    forms = Counter()
    for _note, s, _text in _spans(corpus500, "NAME"):
        role, shape = s.form.split(".")[:2]
        forms[(role, shape)] += 1
        forms[("*", s.form.split(".")[2] if s.form.count(".") == 2 else "")] += 1
    required = [("patient", x) for x in ("full", "last_first", "last_first_upper", "title_last",
                                         "initial_last", "last_upper", "first_lower", "initials",
                                         "nickname")]
    required += [("clinician", x) for x in ("dr_last", "dr_upper", "last_md", "dr_initial_last",
                                            "dr_full", "full_cred")]
    required += [("signature", x) for x in ("signed", "initials_tail", "initials_typist",
                                            "slash_lower", "esigned")]
    required += [("typist", "initials"), ("relative", "first"), ("relative", "first_lower"),
                 ("relative", "full"), ("nurse", "first"), ("other", "first"),
                 ("*", "oov"), ("*", "common")]
    missing = [r for r in required if not forms[r]]
    assert not missing, f"name forms missing from 500 notes: {missing}"


def test_lowercase_clinician_md_and_upper_dr(corpus500):
    lower_md = upper_dr = 0
    for note, s, text in _spans(corpus500, "NAME"):
        after = note.text[s.end:s.end + 3]
        before = note.text[max(0, s.start - 3):s.start]
        if text.islower() and after == " md":
            lower_md += 1
        if text.isupper() and before.strip().rstrip(".") == "DR":
            upper_dr += 1
    assert lower_md > 0 and upper_dr > 0


def test_out_of_lexicon_names_are_about_fifteen_percent_and_really_out(corpus500):
    lexicon = lexicon_names()
    names = list(_spans(corpus500, "NAME"))
    distinct = {t.lower(): s.form.endswith(".oov") for _n, s, t in names}
    share = sum(distinct.values()) / len(distinct)  # per distinct name, not per mention
    assert 0.10 <= share <= 0.35, share
    for _n, s, text in names:
        if s.form.endswith(".oov"):
            tokens = [t for t in re.split(r"[^A-Za-z]+", text) if len(t) > 1]
            assert any(t.upper() not in lexicon for t in tokens), "an .oov name is in a lexicon"


def test_common_word_names_are_used_as_names_and_as_words(corpus500):
    common = {w.lower() for w in COMMON_WORD_FIRST + COMMON_WORD_LAST}
    as_names = {t.lower() for _n, s, t in _spans(corpus500, "NAME") if s.form.endswith(".common")
                and t.lower() in common}
    as_words = {n.text[d.start:d.end].lower() for n in corpus500 for d in n.decoys if d.kind == "COMMON_WORD"}
    assert len(as_names) >= 5
    assert as_words & common, "a common word used as a name should also appear as a plain word"


def test_name_spans_exclude_titles_and_possessives(corpus500):
    titled = possessive = 0
    for note, s, text in _spans(corpus500, "NAME"):
        assert not re.match(r"(?i)(dr|mr|mrs|ms|miss|fr|rev)\.?\s", text)
        assert not text.endswith("'s") and not text.endswith("'S")
        before = note.text[max(0, s.start - 5):s.start]
        titled += bool(re.search(r"(?i)(dr|mr|mrs|ms)\.? ?$", before))
        possessive += note.text[s.end:s.end + 2].lower() == "'s"
        if s.form.split(".")[1] in ("last_first", "last_first_upper"):
            assert ", " in text  # "Last, First" is one span
    assert titled > 50 and possessive > 5


def test_ages_over_89_labelled_and_younger_ones_are_decoys(corpus500):
    words = {"ninety": 90, "one hundred": 100}
    for _note, s, text in _spans(corpus500, "AGE"):
        if text.isdigit():
            assert int(text) > 89
        else:
            assert any(text.lower().startswith(w) for w in words)
    young = [int(n.text[d.start:d.end]) for n in corpus500 for d in n.decoys
             if d.kind == "AGE_UNDER_90" and n.text[d.start:d.end].isdigit()]
    assert len(young) > 50 and max(young) <= 89


def test_times_alone_are_never_dates(corpus500):
    for _note, s, text in _spans(corpus500, "DATE"):
        if s.form != "year":
            assert not re.fullmatch(r"\d{1,2}:\d{2}|\d{4}|\d{1,2}(am|pm|a|p)", text, re.I)
    times = [n.text[d.start:d.end] for n in corpus500 for d in n.decoys if d.kind == "TIME"]
    assert any(re.fullmatch(r"\d{4}", t) for t in times) and any(":" in t for t in times)


def test_year_alone_and_timestamp_conventions(corpus500):
    in_year = ts = 0
    for note, s, text in _spans(corpus500, "DATE"):
        if s.form == "year" and note.text[max(0, s.start - 3):s.start].lower() == "in ":
            in_year += 1
        if s.form == "ts_iso":
            ts += 1
            assert " " in text and ":" in text  # date and clock are one span
    assert in_year > 0 and ts > 0


def test_address_line_split_into_street_city_zip_with_state_unlabelled(corpus500):
    found = 0
    for note in corpus500:
        spans = sorted(note.spans, key=lambda s: s.start)
        decoys = {(d.start, d.end): d.kind for d in note.decoys}
        for a, b, c in zip(spans, spans[1:], spans[2:]):
            if (a.entity_type, b.entity_type, c.entity_type) == ("ADDRESS", "LOCATION", "ZIP"):
                between = [k for (d0, d1), k in decoys.items() if b.end <= d0 and d1 <= c.start]
                if between == ["STATE"]:
                    found += 1
                    assert b.start - a.end <= 2 and c.start - b.end <= 24
    assert found > 3


EPONYMS_LISTED = ("Parkinson", "Hodgkin", "Foley", "Swan-Ganz", "Babinski", "Alzheimer", "Cushing",
                  "Crohn", "Graves", "Bell's palsy", "Down syndrome", "Apgar", "Glasgow", "Whipple",
                  "Nissen")


def test_eponyms_occur_as_unlabelled_decoys(corpus500):
    """Each listed eponym is planted as an EPONYM decoy, and no decoy overlaps a span (a
    person may still be named Foley or Apgar: such a name is a NAME span, not a decoy)."""
    eponyms = []
    for note in corpus500:
        starts = [(s.start, s.end) for s in note.spans]
        for d in note.decoys:
            if d.kind == "EPONYM":
                eponyms.append(note.text[d.start:d.end].lower())
                assert all(d.end <= a or b <= d.start for a, b in starts)
    for word in EPONYMS_LISTED:
        assert any(word.lower() in e for e in eponyms), f"{word} never occurs"
    assert len(eponyms) > 300


def test_every_decoy_kind_occurs(corpus500):
    kinds = Counter(d.kind for n in corpus500 for d in n.decoys)
    for kind in ("EPONYM", "LAB", "VITAL", "TIME", "DOSE", "SCORE", "RATIO", "FRACTION",
                 "AGE_UNDER_90", "ABBREVIATION", "MONTH_WORD", "COMMON_WORD", "STATE", "COUNTRY",
                 "WARD", "ROOM", "MEASURE"):
        assert kinds[kind] > 0, kind
    # slash-separated lab panels and blood pressures look like dates to a naive detector
    slashy = [n.text[d.start:d.end] for n in corpus500 for d in n.decoys
              if d.kind in ("LAB", "VITAL") and "/" in n.text[d.start:d.end]]
    assert len(slashy) > 100


def test_invalid_looking_ssns_occur(corpus500):
    forms = Counter(s.form for _n, s, _t in _spans(corpus500, "SSN"))
    assert any(f.endswith(".invalid") for f in forms)
    assert any(not f.endswith(".invalid") for f in forms)


def test_mrn_written_with_each_label(corpus500):
    labels = Counter()
    for note, s, _t in _spans(corpus500, "MRN"):
        before = note.text[max(0, s.start - 12):s.start].lower()
        for label in ("mrn#", "mrn:", "med rec #", "mr#", "mr #", "unit no:"):
            if label in before.replace(" #", "#").replace("# ", "#") or label in before:
                labels[label] += 1
        if s.form.startswith("bare"):
            labels["bare"] += 1
    for label in ("mrn#", "mrn:", "med rec #", "mr#", "bare"):
        assert labels[label] > 0, label


def test_check_digits_of_dea_npi_vin(corpus500):
    from deid.synth._ids import luhn_check_digit

    values = VIN_VALUES
    for _n, s, text in _spans(corpus500):
        t = text.upper()
        if s.form == "dea":
            d = [int(x) for x in t[2:]]
            assert (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 == d[6]
        elif s.form == "npi":
            assert luhn_check_digit("80840" + t[:9]) == t[9]
        elif s.form == "vin":
            total = sum(values[c] * w for c, w in zip(t, VIN_WEIGHTS))
            assert t[8] == ("X" if total % 11 == 10 else str(total % 11))


VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
VIN_VALUES = {**{str(i): i for i in range(10)}, "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6,
              "G": 7, "H": 8, "J": 1, "K": 2, "L": 3, "M": 4, "N": 5, "P": 7, "R": 9, "S": 2,
              "T": 3, "U": 4, "V": 5, "W": 6, "X": 7, "Y": 8, "Z": 9}
