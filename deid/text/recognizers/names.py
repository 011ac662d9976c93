"""NAME: people's names, found by lexicon plus context, in any case style.

Evidence, strongest first:
- a title before the word ("Dr.", "Mrs", "Doctor"), or a label ("Name:", "Signed:",
  "Attending:") — the word and the name-like words after it are a name;
- a credential after it ("Smith, MD", "lee rn") or a relation before it ("daughter
  margie", "wife (Jane)");
- the word is in a name list (1990 census, Faker's locales) and is not an ordinary English
  word, a clinical term or an eponym ("margie", "Kowalski");
- a verb typical of people after it ("Rose called");
- it stands next to a name ("John Smith", "Smith, John", "J. Smith", "Matias Laaksonen").

Words that are names and ordinary words ("Will", "May", "Brown") need context. In a line
written in mixed case, capitalization is evidence too; in all-upper or all-lower lines it is
not. Eponyms followed by a disease word ("Parkinson's disease", "Foley catheter", "Wilson
disease") are not names.
"""

from __future__ import annotations

import re

from deid.text._lexicons import (
    CITY,
    CLINICAL,
    COMMON,
    COMMON_NAME,
    COUNTRY,
    DRUG,
    EPONYM,
    FIRST,
    LAST,
    STATE,
    STOP,
    STREET_SUFFIX,
    VERY_COMMON,
    WORD,
    load_lexicons,
)

# Flags that make an unknown capitalized word not a proper name.
_NOT_PROPER = WORD | COMMON | CLINICAL | DRUG | STOP | EPONYM | STATE | COUNTRY | STREET_SUFFIX | CITY
from deid.text._view import INITIAL, LOWER, STYLE_MIXED, TITLE, UPPER, TextView
from deid.text.recognizers._base import DeidRecognizer, Span

TITLES = frozenset(
    "dr drs doctor mr mrs ms miss mister mx madam madame prof professor rev reverend "
    "sr sra srta herr frau mme mlle dott dra fr".split()
)
# Words before a person's name: relations, roles and labels.
RELATIONS = frozenset(
    """daughter daughters dtr dau son sons wife husband hubby spouse partner mother mom mum
    mother-in-law father dad sister sis brother bro sibling siblings niece nephew grandson
    granddaughter grandmother grandfather grandma grandpa granddad grandchild aunt uncle
    cousin friend friends neighbor neighbour fiance fiancee boyfriend girlfriend guardian
    caregiver caretaker hcp proxy poa sil dil stepson stepdaughter stepmother stepfather
    roommate visitor interpreter translator chaplain nurse rn lpn cna np pa md do attending
    resident intern fellow pcp surgeon cardiologist oncologist neurologist physician therapist
    pharmacist sw cm dietitian nutritionist colleague coworker boss landlord pastor priest
    rabbi imam student assistant secretary provider clinician doc dentist kid kids child
    baby infant twin law bro hus husb gd gdau gdtr gs gson neice grandaughter""".split()
)
# Family, whose names nurses write in lower case ("per dad hotaando"): a subset of RELATIONS.
_FAMILY = frozenset(
    """daughter dtr dau son wife husband hus husb spouse partner mother mom father dad sister sis
    brother bro niece nephew grandson granddaughter gd gdau gdtr gs gson aunt uncle cousin friend
    neighbor neighbour fiance fiancee boyfriend girlfriend""".split()
)
# Roles written before a person's name in parentheses: "RT (Ward) aware", "rn (lily)".
_ROLES_IN_PARENS = frozenset("rt pt ot st slp sw cm rd rph resp rn md np pa do pca cna".split())
LABELS = frozenset(
    """name names named patient signed sign signature by attn dear hi hello thanks thank
    cc contact contacts emergency witness witnessed author authored dictated transcribed
    reviewed seen examined electronically cosigned cosign referred referring ordering
    from to with per""".split()
)
# Labels that introduce a name only when followed by a colon or "#": "Patient: Smith".
COLON_LABELS = frozenset(
    """patient pt name attending resident intern fellow provider pcp physician surgeon
    nurse rn md np pa contact hcp proxy guardian author signed dictated transcribed
    cosigned attendings referring ordering consultant consult emergency""".split()
)
CREDENTIALS = frozenset(
    """md m.d mbbs do rn np pa pa-c phd dds dmd lpn lvn cna rrt msw lcsw licsw crna arnp
    fnp anp pnp aprn cnm pharmd rph dpm mph facc facs faap facp ccrn bsn msn dnp otr
    dpt slp ccc jr sr ii iii iv esq""".split()
)
# Verbs and phrases after a person's name in notes: "Rose called", "Mark visited".
PERSON_VERBS = frozenset(
    """called calls phoned visited visiting visits came arrived stated states said says
    reports reported aware notified paged informed contacted agrees agreed requested
    declined consented signed updated spoke speaks asked asks wants wishes brought assisted
    helped""".split()
)
# Nouns after an eponym that make it part of a medical term, not a name.
EPONYM_NOUNS = frozenset(
    """disease diseases dz syndrome syndromes sign signs catheter cath test tests maneuver
    manoeuvre reflex reflexes scale score lymphoma palsy position procedure fundoplication
    criteria phenomenon ulcer fracture fx cyst hernia diverticulum tube drain bag line lines
    respiration respirations breathing classification sarcoma tumor tumour node nodes
    fistula operation repair clamp forceps splint shunt anastomosis incision triad law type
    stage staging class grade disorder dystrophy ataxia chorea dementia encephalopathy anemia
    anaemia thyroiditis esophagus hypothesis effect body bodies duct gland glands
    space area point valve murmur block pouch solution drip stockings boot boots collar
    needle clip clips gauge cuff balloon monitor monitoring lens forceps stain staining
    pressure""".split()
)
# Two words before a name: "name is", "I am", "call me", "named him".
_NAME_PHRASES = frozenset(
    {("name", "is"), ("name", "was"), ("names", "are"), ("i", "am"), ("this", "is"), ("it", "is"),
     ("call", "me"), ("calls", "me"), ("called", "me"), ("named", "him"), ("named", "her"), ("named", "them"),
     ("called", "him"), ("called", "her"), ("name", "s")}
)
# Two words before a person: "asking for", "responds to", "spoke with".
_PERSON_PHRASES = frozenset(
    {("asking", "for"), ("asks", "for"), ("asked", "for"), ("calling", "for"), ("calls", "for"), ("called", "for"),
     ("responds", "to"), ("responded", "to"), ("spoke", "with"), ("spoke", "to"), ("talked", "to"),
     ("talked", "with"), ("discussed", "with"), ("met", "with"), ("visited", "by"), ("accompanied", "by"),
     ("brought", "by"), ("relieved", "by"), ("care", "of"), ("called", "to"), ("report", "to"),
     ("reported", "to"), ("given", "to"), ("home", "with")}
)
_PREFER_WORDS = frozenset("prefers prefer likes like wishes wants asks asked".split())
# Services written before a clinician's name in parentheses: "Cardiology (Paris) aware".
_SERVICES = frozenset(
    """cardiology cards gi renal neuro neurology surgery ortho pulm pulmonary id ent onc oncology
    psych psychiatry micu sicu ccu picu nicu ir anesthesia derm urology uro nephrology hepatology
    endo endocrine heme rheum gyn ob obgyn pt ot sw cm nutrition palliative""".split()
)
# One word before a person told or asked something: "update Doree", "notified Chang".
_TELL_VERBS = frozenset("update updated notify notified page paged inform informed tell told".split())
# Dotted credentials after a name: "Stone M.D.", "Lee, R.N."
_DOTTED_CREDENTIAL = re.compile(r"(?:,[ \t]?|[ \t])(?:M\.D\.|R\.N\.|D\.O\.|N\.P\.|P\.A\.)", re.IGNORECASE)
# A relation after a name: "Jobree, pt's grandson", "MINA (HER DAUGHTER)"
_RELATION_AFTER = re.compile(
    r"[ \t]?[,(][ \t]?(?:(?:the[ \t])?(?:pt|patient)'?s[ \t]|her[ \t]|his[ \t]|their[ \t])?([a-z]+)", re.IGNORECASE)
# "Last, First" heading a line with the record's numbers: "GLASS, SANDY   MRN#2007", "re: glass, sandy, dob"
_HEADER_NAME = re.compile(
    r"(?im)^[ \t]*(?:re:[ \t]*)?(?P<n>[A-Za-z][A-Za-z'-]+(?:,[ \t]?|[ \t])[A-Za-z][A-Za-z'-]+)(?=[ \t,]+(?:mrn|medical record|med rec|"
    r"dob|d\.o\.b|date of birth|acct|account|unit no)\b|[ \t]{2,}\d{6,}[ \t]*$)")
# Initials before a licence number: "- JC, lic # RN897726"
_LICENSED_INITIALS = re.compile(r"(?m)^[ \t]*-{1,2}[ \t]?(?P<n>[A-Za-z]{2,3}),?[ \t]+(?:drivers?[ \t]+)?(?:lic|license|licence)\b")
# Words after a relation that are verbs, not names: "son will visit", "wife may call".
_AUXILIARIES = frozenset(
    """will may can might must shall would could should did does do has had is was are were
    says said called calls visited visits came went wants hopes""".split()
)
_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,}s\Z")  # "ABGs", "CXRs"
_IS_AGE = re.compile(r" (?:is|was) an? \d{1,3}[ -]?(?:y|yo|yr|year)")
# Initials that sign a note: "--CL/RB", "-- DS", "/dm", "Transcribed: ja", "LS/TT" at a line end.
_SIGNATURE_INITIALS = re.compile(
    r"(?:(?<=\n)|^)[ \t]*(?:--?|/|\.\.\.)?[ \t]?(?P<a>[A-Za-z]{2,3})/(?P<b>[A-Za-z]{2,3})[ \t]*(?=\n|\Z)"
    r"|(?:(?<=\n)|^)[ \t]*(?:--?|/|\.\.\.)[ \t]?(?P<h>[A-Za-z]{2,3})[ \t]*(?=\n|\Z)"
    r"|(?i:transcribed|typed|dictated|initials|entered)(?:[ \t]+(?i:by))?[ \t]*:[ \t]*(?P<c>[A-Za-z]{2,3})\b"
    r"|(?<=[.!?])[ \t]+(?:--?[ \t]?)?(?P<d>[A-Z]{2,3})/(?P<e>[A-Za-z]{2,3})[ \t]*(?=\n|\Z)"
    r"|(?<=[.!?;)])[ \t]+(?:--?|\.\.\.)[ \t]?(?P<f>[A-Za-z]{2,3})(?:/(?P<g>[A-Za-z]{2,3}))?[ \t]*(?=\n|\Z)"
    # "--PL/LH" or "-- ca" ending a line after text; "/AC", "/dm" after a space
    r"|(?<=[ \t])--[ \t]?(?:--)?(?P<i>[A-Za-z]{2,3})(?:/(?P<j>[A-Za-z]{2,3}))?[ \t]*(?=\n|\Z)"
    r"|(?<=[ \t])/(?P<k>[A-Za-z]{2,3})(?=[ \t]*(?:\n|\Z)|[ \t]+[a-z])",
    re.MULTILINE,
)
_NOT_SLASH_INITIALS = frozenset("hr hrs min day d wk mo yr kg ml dl hpf lpf cc l g mg mcg h s".split())
# Dotted initials standing for a person: "W.F.", "E.B." (not "A.M.", "P.O.", "U.S.").
_DOTTED_INITIALS = re.compile(r"(?<![\w.])[A-Z]\.[A-Z]\.(?:[A-Z]\.)?(?![\w])")
_NOT_INITIALS = frozenset({"am", "pm", "po", "us", "uk", "md", "do", "pa", "np", "rn", "dc", "er", "ed", "or", "ot", "pt",
                           "io", "iv", "im", "sq", "sc", "gi", "gu", "ob", "bp", "hr", "rr", "ap", "ua", "cc", "dr", "st",
                           "eg", "ie", "aka", "dob", "id", "rt", "pa", "ns", "lr", "yo", "npo", "prn", "bid", "tid", "qid", "qd", "hs", "ac", "pc"})
_DOT_TITLES = frozenset("dr mr mrs ms".split())
_TITLE_GAP = re.compile(r"\.?[ \t]{0,3}\Z")
_NEXT_GAP = re.compile(r"[ \t]\Z|\.[ \t]{1,2}\Z|-\Z|,[ \t]{0,2}\Z|\.\Z")
_LABEL_GAP = re.compile(r"[ \t]*(?::|#|-|=|\?|\()[ \t]*\Z|[ \t]*:[ \t]*\n[ \t]*\Z")
# Words after a sentence-initial name: "Mehrudin shouted", "Tomomi is from", "Alvir spent".
_AFTER_NAME = frozenset(
    """is was has had will would spent shouted lives lived began begins says said went came
    works worked wants loves likes told asked called calls visited visits arrived stated
    states reports reported agrees agreed declined refused died passed""".split()
)
_REL_GAP = re.compile(r"[ \t]*(?:,|:|\(|-|'s|/)?[ \t]*\Z")


def _in_bullet_list(text: str, start: int, end: int) -> bool:
    """Whether the line is one item of a "- item" list (the line before or after is one too)."""
    ls = text.rfind("\n", 0, start) + 1
    line = text[ls:end].lstrip()
    if not line.startswith("-") or line.startswith("--"):
        return False
    prev_start = text.rfind("\n", 0, max(0, ls - 1)) + 1
    prev_line = text[prev_start : max(prev_start, ls - 1)].lstrip()
    nl = text.find("\n", end)
    next_line = "" if nl < 0 else text[nl + 1 : text.find("\n", nl + 1) if text.find("\n", nl + 1) >= 0 else len(text)].lstrip()
    return (prev_line.startswith("-") and not prev_line.startswith("--")) or (
        next_line.startswith("-") and not next_line.startswith("--")
    )


class NameRecognizer(DeidRecognizer):
    """Find people's names (NAME) by lexicon and context.

    >>> from deid.text._view import TextView
    >>> spans = NameRecognizer().find(TextView("daughter margie called; seen by Dr. Omobuwa."))
    >>> [(s, e) for s, e, _, _ in spans]
    [(9, 15), (36, 43)]
    """

    ENTITIES = ("NAME",)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._lex = None

    def find(self, view: TextView) -> list[Span]:
        if self._lex is None:
            self._lex = load_lexicons().tokens
        lex = self._lex
        text = view.text
        toks = view.tokens
        n = len(toks)
        if n == 0:
            return []
        flags = [lex.get(t.lower, 0) for t in toks]
        score = [0.0] * n
        anchored = [False] * n  # found by a title or label: name-like words after it join

        def gap(i: int) -> str:  # characters between token i-1 and token i
            return text[toks[i - 1].end : toks[i].start]

        for i in range(n):
            t = toks[i]
            f = flags[i]
            lw = t.lower
            if f & STOP or lw in TITLES:
                continue
            mixed = t.style == STYLE_MIXED
            shape = t.shape
            capitalized = shape == TITLE or shape == UPPER or shape == "M" or shape == INITIAL
            is_name = f & (FIRST | LAST)
            # a strong name: in a name list and not an ordinary word, clinical term or eponym
            strong = bool(is_name) and not f & (COMMON | CLINICAL | EPONYM | DRUG) and not (
                f & (COUNTRY | STATE) and not (mixed and capitalized and not t.initial_pos)
            ) and (
                len(lw) > 3 or (len(lw) == 3 and f & COMMON_NAME)
            )
            if mixed and not capitalized and f & WORD:
                strong = False  # "files", "coda": lower-case words in mixed text
            s = 0.0
            prev = toks[i - 1] if i else None
            g = gap(i) if i else ""
            if len(lw) == 1:
                continue  # initials join names in the second pass
            # 1. title before: "Dr. Smith", "MRS WILL", "Dr. K. Lamb" (over an initial)
            title_tok, title_gap = prev, g
            if (
                prev is not None
                and i >= 2
                and len(prev.lower) == 1
                and toks[i - 2].lower in TITLES
                and text[prev.end : prev.end + 1] == "."
            ):
                title_tok, title_gap = toks[i - 2], text[toks[i - 2].end : prev.start]
            if (
                title_tok is not None
                and title_tok.lower == "mr"
                and f & COMMON
                and text[title_tok.end : title_tok.end + 1] != "."
            ):
                title_tok = None  # "MR HEAD W/O CONTRAST": an MR scan, not Mister Head
            if title_tok is not None and title_tok.lower in TITLES and _TITLE_GAP.fullmatch(title_gap) and "\n" not in title_gap:
                dotted = text[title_tok.end : title_tok.end + 1] == "." and title_tok.lower in _DOT_TITLES
                if (dotted and is_name and not f & (STOP | CLINICAL)) or (
                    not (f & VERY_COMMON and not (mixed and capitalized)) and not (f & CLINICAL and not capitalized)
                ):
                    if not mixed or capitalized or is_name:
                        s = 0.95
                        anchored[i] = True
            # 2. label before: "Name: Smith", "Signed: J. Smith"
            if s == 0.0 and prev is not None:
                pl = prev.lower
                if (pl in COLON_LABELS or pl in LABELS) and _LABEL_GAP.fullmatch(g):
                    if self._namelike(f, t, mixed, capitalized):
                        s = 0.85
                        anchored[i] = True
                elif pl in LABELS and ("\n" not in g) and g.strip() == "" and pl in ("named", "by", "dear", "nicknamed", "aka"):
                    if (
                        self._namelike(f, t, mixed, capitalized)
                        and (is_name or (mixed and capitalized))
                        and not f & (CLINICAL | EPONYM | DRUG)
                    ):
                        s = 0.75
                        anchored[i] = True
                elif (
                    i >= 2
                    and (toks[i - 2].lower, pl) in _NAME_PHRASES
                    and g.strip() in ("", ",")
                    and text[toks[i - 2].end : prev.start] in (" ", "'")
                ):
                    if (is_name and not f & (STOP | VERY_COMMON)) or (mixed and capitalized and not f & STOP):
                        s = 0.8
                        anchored[i] = True
            # 2b. a nickname: "prefers to be called Buddy", "goes by Babe"
            if s == 0.0 and prev is not None and i >= 2 and g == " " and (
                (prev.lower in ("called", "calld") and toks[i - 2].lower == "be")
                or (prev.lower == "by" and toks[i - 2].lower in ("goes", "go", "going"))
                or prev.lower in ("nickname", "nicknamed", "aka")
            ):
                # "prefers to be called Hope": the phrase itself says a name follows
                prefers = i >= 4 and toks[i - 3].lower == "to" and toks[i - 4].lower in _PREFER_WORDS
                if (not f & (STOP | CLINICAL | VERY_COMMON) and (capitalized or not mixed or not f & WORD)) or (
                    prefers and not f & (STOP | CLINICAL) and (is_name or f == 0)
                ):
                    s = 0.8
                    anchored[i] = True
            # 2c. a person asked for or spoken with: "asking for masaiton", "responds to Iris"
            if (
                s == 0.0
                and i >= 2
                and (toks[i - 2].lower, prev.lower) in _PERSON_PHRASES
                and g == " "
                and text[toks[i - 2].end : prev.start] == " "
                and not f & (STOP | CLINICAL | VERY_COMMON | DRUG)
                and (is_name or (f == 0 and len(lw) >= 3))
                and (capitalized or not mixed or strong or (is_name and not f & VERY_COMMON))
            ):
                s = 0.7
            # 3. relation before: "daughter margie", "wife (Jane)", "son, Bill,"
            if s == 0.0 and prev is not None and prev.lower in RELATIONS and _REL_GAP.fullmatch(g) and "\n" not in g:
                if strong:
                    s = 0.9
                elif is_name and not f & CLINICAL and (
                    (mixed and shape == TITLE)
                    or (not mixed and lw not in _AUXILIARIES)  # "SON BILL", not "son will"
                    or (not f & VERY_COMMON and capitalized)
                    or not f & WORD  # "partner una": a lower-case name that is no English word
                    or not f & VERY_COMMON  # "husband oliver", "dau crystal"; not "son will"
                ):
                    s = 0.75
                elif f == 0 and len(lw) >= 3 and (capitalized or not mixed or (len(lw) >= 4 and prev.lower in _FAMILY)):
                    s = 0.6  # "per dad hotaando": a word no list knows
            # 3a. a role before it in parentheses: "RT (Ward) aware"
            if (
                s == 0.0
                and prev is not None
                and (prev.lower in _ROLES_IN_PARENS or prev.lower in _SERVICES)
                and g.strip() == "("
                and "\n" not in g
                and text[t.end : t.end + 1] == ")"
                and not f & (STOP | CLINICAL | DRUG)
                and (is_name or (f == 0 and len(lw) >= 3))
            ):
                s = 0.75
            # 3a'. the name asked for: "opens eyes to name (rick)"
            if (
                s == 0.0
                and i >= 2
                and prev.lower == "name"
                and toks[i - 2].lower == "to"
                and g.strip() == "("
                and "\n" not in g
                and not f & (STOP | CLINICAL)
            ):
                s = 0.75
            # 3b. a relation after it in parentheses: "Grant (brother)", "JENNY (WIFE)"
            if s == 0.0 and i + 1 < n:
                ra = _RELATION_AFTER.match(text, t.end, min(len(text), t.end + 24))
                if ra and ra.group(1).lower() in RELATIONS and ra.group(1).lower() not in _ROLES_IN_PARENS and (
                    (is_name and not f & (CLINICAL | STOP)) or (f == 0 and len(lw) >= 3 and (capitalized or not mixed))
                ):
                    s = 0.75
            # 4. credential after: "Smith, MD", "lee rn", "J Smith RN"
            if s == 0.0 and i + 1 < n:
                nxt = toks[i + 1]
                g2 = text[t.end : nxt.start]
                if nxt.lower in CREDENTIALS and g2 in (" ", ", ", ",", "  ") and (
                    nxt.shape != LOWER or not mixed or (is_name and not f & VERY_COMMON) or (f == 0 and len(lw) >= 4)
                ):
                    if (is_name and not f & (STOP | VERY_COMMON | CLINICAL) and not (f & COMMON and mixed and not capitalized)) or (
                        not f & (WORD | CLINICAL | STOP | DRUG) and (capitalized or not mixed or (f == 0 and len(lw) >= 4))
                    ):
                        s = 0.8
                        anchored[i] = True
            if (
                s == 0.0
                and _DOTTED_CREDENTIAL.match(text, t.end)
                and not f & (STOP | CLINICAL | DRUG)
                and (is_name or (f == 0 and len(lw) >= 3))
                and (capitalized or not mixed)
            ):
                s = 0.8
                anchored[i] = True
            # 2d. someone told or asked: "update Doree and partner", "notified chang"
            if (
                s == 0.0
                and prev is not None
                and prev.lower in _TELL_VERBS
                and g == " "
                and not f & (STOP | CLINICAL | VERY_COMMON | DRUG | COMMON)
                and (is_name or (f == 0 and len(lw) >= 4))
                and (capitalized or not mixed)
            ):
                s = 0.6
            # 5. the lexicon alone
            if s == 0.0 and strong:
                if mixed:
                    s = 0.8 if capitalized and not t.initial_pos else 0.6
                else:
                    s = 0.6
            # 5b. an unknown capitalized word inside a sentence of mixed-case text: a proper
            # name that no list knows ("Yefremova", "Omobuwa")
            if (
                s == 0.0
                and mixed
                and not t.initial_pos
                and (shape == TITLE or shape == "M")
                and len(lw) >= 3
                and not f & _NOT_PROPER
                and not (f & (FIRST | LAST) and f & WORD)
                and not _PLURAL_ACRONYM.match(t.text)
            ):
                s = 0.5
            # 5c. a sentence-initial unknown capitalized word followed by a verb of people
            if (
                s == 0.0
                and mixed
                and t.initial_pos
                and (shape == TITLE or shape == "M")
                and len(lw) >= 3
                and not f & _NOT_PROPER
                and i + 1 < n
                and toks[i + 1].lower in _AFTER_NAME
                and text[t.end : toks[i + 1].start] == " "
                and not _PLURAL_ACRONYM.match(t.text)
            ):
                s = 0.55
            # 5d. "venlachois is a 56 yo man": a word no list knows, before "is a <age>"
            if s == 0.0 and not f and len(lw) >= 4 and i + 3 < n:
                after = text[t.end : t.end + 16].lower()
                if _IS_AGE.match(after):
                    s = 0.6
            # 6. a verb typical of people after it: "Rose called"
            if s == 0.0 and is_name and not f & (VERY_COMMON | CLINICAL) and i + 1 < n:
                nxt = toks[i + 1]
                if nxt.lower in PERSON_VERBS and text[t.end : nxt.start] == " " and (not mixed or capitalized):
                    s = 0.65
            # 6b. a word no list knows before such a verb: "BROMEND AWARE OF PLAN"
            if (
                s == 0.0
                and f == 0
                and len(lw) >= 5
                and sum(ch in "aeiouy" for ch in lw) >= 2
                and i + 1 < n
                and toks[i + 1].lower in PERSON_VERBS
                and text[t.end : toks[i + 1].start] == " "
                and (not mixed or capitalized)
            ):
                s = 0.55
            if s and not anchored[i] and self._is_eponym_use(toks, i, text, f):
                s = 0.0
            score[i] = s

        # Second pass: grow names over adjacent name-like words, initials and
        # capitalized unknown words ("Matias Laaksonen", "J. Smith", "Smith, John").
        changed = True
        rounds = 0
        while changed and rounds < 4:
            changed = False
            rounds += 1
            for i in range(n):
                if score[i]:
                    continue
                t = toks[i]
                f = flags[i]
                if (f & STOP and len(t.lower) > 1) or t.lower in TITLES:
                    continue
                if f & (COUNTRY | STATE) and not (f & (FIRST | LAST) and self._not_in_place_phrase(toks, i)):
                    continue  # "Costa Rica", "Rhode Island"; but "Katelin Jordan" is a name
                left = i > 0 and score[i - 1] and _NEXT_GAP.fullmatch(gap(i)) and "\n" not in gap(i)
                right = (
                    i + 1 < n
                    and score[i + 1]
                    and _NEXT_GAP.fullmatch(gap(i + 1))
                    and "\n" not in gap(i + 1)
                )
                if not (left or right):
                    continue
                mixed = t.style == STYLE_MIXED
                shape = t.shape
                capitalized = shape in (TITLE, UPPER, "M", INITIAL)
                lw = t.lower
                if len(lw) == 1:
                    # an initial: "J. Smith", "John Q. Public", "Smith J"
                    after = text[t.end : t.end + 1]
                    if (shape == INITIAL or not mixed) and (after == "." or (lw not in ("i", "a") and after in (" ", ","))):
                        score[i] = max(score[i - 1] if left else 0, score[i + 1] if right else 0) * 0.9
                        changed = True
                    continue
                is_name = f & (FIRST | LAST)
                neighbour_anchor = (left and anchored[i - 1]) or (right and anchored[i + 1])
                ok = False
                if mixed:
                    if capitalized and not f & CLINICAL:
                        ok = bool(is_name) or not f & COMMON or neighbour_anchor and not t.initial_pos
                        if t.initial_pos and not left and not is_name:
                            ok = False
                    elif shape == LOWER and is_name and not f & (COMMON | CLINICAL):
                        ok = True  # "borna jerković": names typed in lower case
                else:
                    # upper- or lower-case text: a neighbouring word joins when it is a name that
                    # is not also an English word, or when the name was anchored by a title
                    ok = bool(is_name) and not f & (VERY_COMMON | CLINICAL) and (not f & WORD or neighbour_anchor)
                    if not ok and neighbour_anchor and f == 0 and len(lw) >= 3:
                        ok = True
                # "Smith, John": a comma joins only two name-list words
                if ok and left and "," in gap(i) and not (is_name and flags[i - 1] & (FIRST | LAST)):
                    ok = False
                if ok and right and not left and "," in gap(i + 1) and not (is_name and flags[i + 1] & (FIRST | LAST)):
                    ok = False
                if (
                    not ok
                    and mixed
                    and not is_name
                    and shape == TITLE
                    and not f & _NOT_PROPER
                    and ((left and "," in gap(i)) or (right and not left and "," in gap(i + 1)))
                ):
                    ok = True  # a list of names: "Kónya, Becker and Vasquez"
                if ok and self._is_eponym_use(toks, i, text, f):
                    ok = False
                if ok:
                    score[i] = 0.7
                    anchored[i] = neighbour_anchor
                    changed = True

        # Initials that sign a note, and dotted initials in running text.
        extra: list[Span] = []
        for m in _SIGNATURE_INITIALS.finditer(text):
            if m.group("h") and _in_bullet_list(text, m.start(), m.end()):
                continue  # "- HTN" in a list of problems, not initials
            # a pair "LS/tt" or a typist label is unambiguous; a lone "- SC" may be an abbreviation
            lone = m.group("h") is not None and not re.match(r"[ \t]*(?:--|\.\.\.|/)", text[m.start() : m.start("h")])
            # a lone "--XX" ending a line is a signature whatever the letters spell ("-- BP")
            double_dash = m.group("h") is not None and text[m.start() : m.start("h")].strip().startswith("--")
            ok = {}
            for grp in ("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"):
                v = m.group(grp)
                if not v:
                    continue
                flags_v = lex.get(v.lower(), 0)
                if double_dash:
                    ok[grp] = True
                    continue
                if v.lower() in _NOT_INITIALS or (grp == "k" and v.lower() in _NOT_SLASH_INITIALS):
                    ok[grp] = False
                    continue
                blocked = STOP | VERY_COMMON | (CLINICAL if lone or grp in ("f", "g", "k") else 0)
                ok[grp] = not flags_v & blocked
            # a pair "PT/je", "pm/cd": when one side is plainly initials, so is the other
            for x, y in (("a", "b"), ("d", "e"), ("f", "g"), ("i", "j")):
                if x in ok and y in ok and (ok[x] or ok[y]) and not (lex.get(m.group(x).lower(), 0) & STOP and lex.get(m.group(y).lower(), 0) & STOP):
                    ok[x] = ok[y] = True
            for grp, good in ok.items():
                if good:
                    extra.append((m.start(grp), m.end(grp), "NAME", 0.5))
        for m in _HEADER_NAME.finditer(text):
            # each word a name or a word no list knows: "GLASS, SANDY", not "Outside hospital"
            words = re.split(r"[ \t,]+", m.group("n").strip().lower())
            wflags = [lex.get(w, 0) for w in words]
            if all(fl & (FIRST | LAST) or not fl for fl in wflags) and not any(fl & (STOP | CLINICAL) for fl in wflags):
                extra.append((m.start("n"), m.end("n"), "NAME", 0.8))
        for m in _LICENSED_INITIALS.finditer(text):
            extra.append((m.start("n"), m.end("n"), "NAME", 0.6))
        for m in _DOTTED_INITIALS.finditer(text):
            if m.group().replace(".", "").lower() not in _NOT_INITIALS:
                extra.append((m.start(), m.end(), "NAME", 0.45))

        # Assemble spans from runs of name tokens.
        spans: list[Span] = []
        i = 0
        while i < n:
            if not score[i]:
                i += 1
                continue
            j = i
            best = score[i]
            while j + 1 < n and score[j + 1]:
                g = gap(j + 1)
                if "\n" in g or not _NEXT_GAP.fullmatch(g):
                    break
                j += 1
                best = max(best, score[j])
            start, end = toks[i].start, toks[j].end
            # a lone initial is not a name
            if not (i == j and len(toks[i].lower) == 1):
                if end < len(text) and text[end] == "." and j > i and len(toks[j].lower) == 1:
                    end += 1  # "John Q." keeps the initial's period
                spans.append((start, end, "NAME", round(best, 3)))
            i = j + 1
        if extra:
            spans.extend(extra)
            spans.sort()
        return spans

    def _not_in_place_phrase(self, toks, i: int) -> bool:
        phrases = load_lexicons().place_phrases
        if i + 1 < len(toks) and (toks[i].lower, toks[i + 1].lower) in phrases.get(toks[i].lower, ()):
            return False
        if i > 0 and (toks[i - 1].lower, toks[i].lower) in phrases.get(toks[i - 1].lower, ()):
            return False
        return True

    @staticmethod
    def _namelike(f: int, t, mixed: bool, capitalized: bool) -> bool:
        """Whether a word after a title or label can be a name."""
        if f & STOP:
            return False
        if mixed:
            return capitalized and not (f & COMMON and not f & (FIRST | LAST) and t.shape == LOWER)
        return not f & VERY_COMMON and not (f & CLINICAL and not f & (FIRST | LAST) and len(t.lower) <= 3)

    @staticmethod
    def _is_eponym_use(toks, i: int, text: str, f: int) -> bool:
        """An eponym ("Foley catheter", "Parkinson's disease", "Swan-Ganz") is not a name."""
        j = i + 1
        while j < len(toks) and toks[j].lower in ("s",) and text[toks[j - 1].end : toks[j].start] in ("'", "\u2019"):
            j += 1
        if j < len(toks):
            g = text[toks[i].end : toks[j].start]
            if len(g) <= 4 and "\n" not in g and toks[j].lower in EPONYM_NOUNS:
                return True
        if f & EPONYM:
            return True
        # "Stevens-Johnson syndrome", "Lou Gehrig's disease": the first word of a two-word eponym
        if i + 1 < len(toks) and text[toks[i].end : toks[i + 1].start] in ("-", " "):
            k = i + 2
            while k < len(toks) and toks[k].lower == "s" and text[toks[k - 1].end : toks[k].start] in ("'", "\u2019"):
                k += 1
            if k < len(toks):
                g2 = text[toks[i + 1].end : toks[k].start]
                if len(g2) <= 4 and "\n" not in g2 and toks[k].lower in EPONYM_NOUNS:
                    return True
        # hyphenated eponym pairs: "Swan-Ganz", "Guillain-Barre", "Cheyne-Stokes"
        if i + 1 < len(toks) and text[toks[i].end : toks[i + 1].start] == "-":
            from deid.text._lexicons import load_lexicons as _ll

            if _ll().tokens.get(toks[i + 1].lower, 0) & EPONYM:
                return True
        if i > 0 and text[toks[i - 1].end : toks[i].start] == "-":
            from deid.text._lexicons import load_lexicons as _ll

            if _ll().tokens.get(toks[i - 1].lower, 0) & EPONYM:
                return True
        return False
