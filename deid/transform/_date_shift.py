"""``date_shift``: move every date of a patient by the same keyed number of days.

The offset is HMAC(key, patient id) mapped uniformly onto the non-zero integers of
``[min_days, max_days]``, so intervals between one patient's dates survive while the dates
themselves do not. The written form of each date is kept exactly: "7/22" stays month/day,
"July 11th" becomes "July 23rd", "JULY 11" stays upper case, "2019-07-22 14:03:11" keeps its
time of day. A value that cannot be read becomes ``[DATE]`` — never left as it was.

Options (:func:`date_shift_days`, the operator's parameters, :class:`Transformer`):
``never_zero`` (default on: 0 is never drawn), ``keep_weekday`` (offsets are multiples of 7),
``offsets`` (the data steward's table of offsets, :class:`OffsetTable`, instead of derived
ones), ``window`` (shifted dates outside it are reported, :class:`DateWindowWarning`).
"""

from __future__ import annotations

import datetime as _dt
import re
from functools import lru_cache
from typing import Mapping

from deid.transform._base import DeidOperator, OperatorParamError, check_bool, check_int, check_value, key_param
from deid.transform._key import Key
from deid.transform._pseudonym import normalize_identifier
from deid.transform._tag import tag

#: The default offset range in days (both ends included; 0 is never drawn).
DEFAULT_MIN_DAYS = -365
DEFAULT_MAX_DAYS = 365

# Month/day without a year is placed in a leap year, so that 2/29 is a date.
_REFERENCE_YEAR = 2000
# A year alone moves like July 2, the middle day of the year (day 183 of 365).
_MID_YEAR = (7, 2)
# A month without a day (or a month alone) moves like its 15th.
_MID_MONTH = 15
# Two-digit years: 69-99 -> 19xx, 00-68 -> 20xx (the POSIX strptime %y rule).
_PIVOT = 68

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH_NAMES = (
    "", "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)
_WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6, "mon": 0, "tue": 1, "tues": 1, "wed": 2, "weds": 2, "thu": 3, "thur": 3,
    "thurs": 3, "fri": 4, "sat": 5, "sun": 6,
}
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_FULL_MONTHS = frozenset(n.lower() for n in _MONTH_NAMES if n)
_FULL_WEEKDAYS = frozenset(n.lower() for n in _WEEKDAY_NAMES)

# Words that are not dates of a person; kept as written.
_RELATIVE = frozenset(
    "today tonight yesterday tomorrow now overnight currently recently".split()
)

# -- patterns ---------------------------------------------------------------------------------
_MON = (
    r"(?P<mon>january|february|march|april|may|june|july|august|september|october|november|"
    r"december|sept|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec)"
)
_WD = (
    r"(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday|tues|weds|thurs|thur|"
    r"mon|tue|wed|thu|fri|sat|sun)"
)
_WD_PREFIX = r"(?:" + _WD + r"\.?,?\s+)?"
_DAY = r"(?P<d>\d{1,2})(?P<sfx>st|nd|rd|th)?"
# A time of day after the date is kept verbatim: " 14:03", "T14:03:11.5Z", ", 2:30 PM",
# " at 3pm", " 14:03 EST".
_TIME = (
    r"(?:(?:T|\s+|,\s*|\s+at\s+|\s*@\s*)"
    r"(?:\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[ap]\.?m\.?)?|\d{1,2}\s*[ap]\.?m\.?)"
    r"(?:\s*(?:z|utc|gmt|[+-]\d{2}(?::?\d{2})?|[a-z]{1,3}[sd]?t))?)?"
)
_YEAR_AFTER = r"(?:(?:,\s*|\s+|-|\.\s*)(?:(?P<y>\d{4})|['’](?P<yy>\d{2})|(?P<yyd>\d{2})(?![\d:])))?"

_F = re.IGNORECASE
_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    # 2019-07-22, 2019/07/22, 2019-07-22 14:03:11, 2019-07-22T14:03
    ("ymd", re.compile(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})" + _TIME, _F)),
    # 20190722, 20190722T140311
    ("ymd", re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:T\d{2}:?\d{2}(?::?\d{2})?(?:z)?)?", _F)),
    # 07/22/2019, 7/22/19, 22.07.2019, Thu 7/22/19 14:03
    ("abY", re.compile(_WD_PREFIX + r"(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)"
                       r"(?:(?P<y>\d{4})|(?P<yy>\d{2}))" + _TIME, _F)),
    # 7/22, 22/7, 7-22
    ("ab", re.compile(_WD_PREFIX + r"(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})" + _TIME, _F)),
    # 5/2019, 05-2019
    ("mY", re.compile(r"(?P<m>\d{1,2})(?P<sep>[-/.])(?P<y>\d{4})", _F)),
    # 2019-05
    ("mY", re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})", _F)),
    # July 11, July 11th, Jul. 11, 2019, JULY 11 2019, Thursday, July 11, 2019 at 2pm, Jul-11-19
    ("name", re.compile(_WD_PREFIX + _MON + r"\.?(?:\s+|-|\s*/\s*)(?:the\s+)?" + _DAY + _YEAR_AFTER + _TIME, _F)),
    # 11 Jul 2019, 3rd of May, 11-Jul-2019, the 3rd of May 2019
    ("name", re.compile(_WD_PREFIX + r"(?:the\s+)?" + _DAY + r"(?:\s+of\s+|\s+|-|\.\s*)" + _MON + r"\.?"
                        + _YEAR_AFTER + _TIME, _F)),
    # May 2019, May '19, May, 2019, Jan-2019
    ("monY", re.compile(_MON + r"\.?(?:,?\s*|-|\s*/\s*)(?:(?P<y>\d{4})|['’](?P<yy>\d{2}))", _F)),
    # 1992, '92 (a year alone)
    ("Y", re.compile(r"(?P<y>\d{4})|['’](?P<yy>\d{2})", _F)),
    # Thursday, Thu., Thursday at 3pm
    ("wd", re.compile(_WD + r"\.?" + _TIME, _F)),
    # July (a month alone)
    ("mon", re.compile(_MON + r"\.?", _F)),
)
_TIME_ONLY = re.compile(
    r"(?:\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?|\d{1,2}\s*[ap]\.?m\.?|noon|midnight)", _F
)


# -- offsets ----------------------------------------------------------------------------------
def _check_range(min_days, max_days) -> tuple[int, int]:
    min_days = check_int("min_days", min_days)
    max_days = check_int("max_days", max_days)
    if min_days > max_days:
        raise OperatorParamError(f"min_days ({min_days}) must not exceed max_days ({max_days})")
    if min_days == max_days == 0:
        raise OperatorParamError("the date shift range [0, 0] holds no non-zero offset")
    return min_days, max_days


def _check_options(min_days: int, max_days: int, never_zero, keep_weekday) -> tuple[bool, bool]:
    """``never_zero`` and ``keep_weekday`` checked, and checked against the range: the range
    must hold at least one offset they allow."""
    check_bool("never_zero", never_zero)
    check_bool("keep_weekday", keep_weekday)
    if _choices(min_days, max_days, never_zero, keep_weekday)[2] == 0:
        what = "multiple of 7" if keep_weekday else "offset"
        raise OperatorParamError(
            f"the date shift range [{min_days}, {max_days}] holds no {'non-zero ' if never_zero else ''}{what}"
        )
    return never_zero, keep_weekday


def _choices(min_days: int, max_days: int, never_zero: bool, keep_weekday: bool) -> tuple[int, int, int, bool]:
    """(step, first multiple, number of allowed offsets, whether 0 is skipped): the allowed
    offsets are ``step * k`` for ``k`` from ``first``, skipping ``k == 0`` when told."""
    step = 7 if keep_weekday else 1
    first = -((-min_days) // step)  # ceil(min_days / step)
    last = max_days // step
    count = max(last - first + 1, 0)
    skip_zero = never_zero and first <= 0 <= last
    return step, first, count - skip_zero, skip_zero


@lru_cache(maxsize=1 << 16)
def _offset(key: Key, message: str, min_days: int, max_days: int, never_zero: bool = True,
            keep_weekday: bool = False) -> int:
    # uniform over the allowed offsets: index i = r mod (how many there are) -> the i-th
    # allowed multiple of the step, counted from the low end; with never_zero, the
    # non-negative ones move up by one step, so 0 is skipped. (With the defaults this is
    # min_days + r mod (max_days - min_days), plus one from 0 up: the derivation of deid 0.1.)
    r = key.integer("date_shift", message)
    step, first, count, skip_zero = _choices(min_days, max_days, never_zero, keep_weekday)
    k = first + r % count
    if skip_zero and k >= 0:
        k += 1
    return k * step


def _is_missing(value) -> bool:
    # None, NaN, pandas NA/NaT: a missing patient id is no patient id
    if value is None:
        return True
    if isinstance(value, float):
        return value != value
    return type(value).__name__ in ("NAType", "NaTType")


def _patient_message(patient_id) -> str:
    if _is_missing(patient_id):
        return "\x00no-patient"
    normalized = normalize_identifier(patient_id)
    return "\x00no-patient" if normalized == "" else "patient\x1f" + normalized


class OffsetTable:
    """Date offsets chosen by the data steward (patient id -> days), used instead of the
    keyed ones.

    ``offsets`` is a mapping, a pandas Series (patient ids in the index), a DataFrame of two
    columns (patient id, days; or name them with ``patient_column`` / ``days_column``), or
    another :class:`OffsetTable`. Patient ids are matched in their normal form
    (:func:`~deid.transform.normalize_identifier`: ``" mrn12"`` is ``"MRN12"``, ``12`` is
    ``"12"``). Every error names a count and the problem, never an id or an offset:

    - an id listed twice (also after normalization), or a missing or blank id;
    - an offset that is missing or not a whole number of days;
    - a patient the table lacks, when an offset is asked for (:meth:`days`,
      :meth:`offsets_for`): there is no silent default.

    ``check(never_zero, keep_weekday)`` refuses offsets of 0 (``never_zero``) and offsets that
    are not multiples of 7 (``keep_weekday``): the steward's table must satisfy the options
    it is used with. ``repr`` shows the size only.

    >>> t = OffsetTable({"MRN1": 14, "mrn2": -21})
    >>> t.days(" mrn1 "), len(t)
    (14, 2)
    >>> t
    OffsetTable(2 patients)
    """

    __slots__ = ("_days",)

    def __init__(self, offsets, *, patient_column: str | None = None, days_column: str | None = None):
        if isinstance(offsets, OffsetTable):
            self._days = dict(offsets._days)
            return
        ids, days = _offset_pairs(offsets, patient_column, days_column)
        table: dict[str, int] = {}
        n_blank = n_bad = n_dupes = 0
        for pid, d in zip(ids, days):
            if _is_missing(pid):
                n_blank += 1
                continue
            try:
                norm = normalize_identifier(pid)
            except TypeError:
                n_blank += 1
                continue
            if norm == "":
                n_blank += 1
                continue
            value = _whole_days(d)
            if value is None:
                n_bad += 1
                continue
            if norm in table:
                n_dupes += 1
                continue
            table[norm] = value
        if n_blank:
            raise ValueError(f"offsets table: {n_blank} row(s) have a missing, blank or unusable patient id")
        if n_dupes:
            raise ValueError(f"offsets table: {n_dupes} patient id(s) are listed more than once "
                             "(ids are compared case-insensitively, spaces collapsed)")
        if n_bad:
            raise ValueError(f"offsets table: {n_bad} offset(s) are missing or not a whole number of days")
        self._days = table

    def __len__(self) -> int:
        return len(self._days)

    def __repr__(self) -> str:
        return f"OffsetTable({len(self._days)} patients)"

    def __eq__(self, other) -> bool:
        return isinstance(other, OffsetTable) and self._days == other._days

    def __hash__(self) -> int:
        return hash((len(self._days), frozenset(self._days.items())))

    def __reduce__(self):
        return (_rebuild_offset_table, (self._days,))

    def check(self, never_zero: bool = True, keep_weekday: bool = False) -> "OffsetTable":
        """``ValueError`` when an offset breaks an option (counts only); else ``self``."""
        if never_zero:
            zeros = sum(1 for d in self._days.values() if d == 0)
            if zeros:
                raise ValueError(f"offsets table: {zeros} offset(s) are 0 and never_zero is on "
                                 "(set never_zero=False to allow unshifted patients)")
        if keep_weekday:
            odd = sum(1 for d in self._days.values() if d % 7)
            if odd:
                raise ValueError(f"offsets table: {odd} offset(s) are not multiples of 7 and keep_weekday is on")
        return self

    def days(self, patient_id) -> int:
        """The offset of ``patient_id``; ``ValueError`` when the table lacks it."""
        message = _patient_message(patient_id)
        if message.startswith("\x00"):
            raise ValueError("a date needs a patient id to be shifted with an offsets table "
                             "(there is no offset without a patient)")
        value = self._days.get(message[len("patient\x1f"):])
        if value is None:
            raise ValueError("a patient id is not in the offsets table (every patient needs an "
                             "offset from the data steward; there is no silent default)")
        return value

    def offsets_for(self, uniques) -> "list[int]":
        """Offsets of distinct patient ids, in order; ``ValueError`` with the number missing."""
        out, missing, no_id = [], 0, 0
        for u in uniques:
            message = _patient_message(u)
            if message.startswith("\x00"):
                no_id += 1
                out.append(0)
                continue
            value = self._days.get(message[len("patient\x1f"):])
            if value is None:
                missing += 1
                value = 0
            out.append(value)
        if no_id:
            raise ValueError("some rows have no patient id, and an offsets table has no offset without one")
        if missing:
            raise ValueError(f"{missing} patient id(s) are not in the offsets table (every patient needs "
                             "an offset from the data steward; there is no silent default)")
        return out

    def to_dict(self) -> dict[str, int]:
        """Normalized patient id -> days (the steward's own data; handle it as such)."""
        return dict(self._days)


def _rebuild_offset_table(days: dict) -> OffsetTable:
    table = OffsetTable.__new__(OffsetTable)
    table._days = dict(days)
    return table


def _offset_pairs(offsets, patient_column, days_column):
    """(ids, days) sequences from a mapping, Series or two-column DataFrame."""
    import pandas as pd

    if isinstance(offsets, pd.DataFrame):
        columns = list(offsets.columns)
        if patient_column is None and days_column is None:
            if len(columns) != 2:
                raise ValueError(f"offsets table: a frame needs exactly two columns (patient id, days), "
                                 f"it has {len(columns)}; or name them with patient_column= and days_column=")
            patient_column, days_column = columns
        for name, what in ((patient_column, "patient_column"), (days_column, "days_column")):
            if name is None:
                raise ValueError(f"offsets table: give both patient_column= and days_column= (missing {what})")
            if name not in offsets.columns:
                raise ValueError(f"offsets table: column {name!r} ({what}) is not in the frame")
        return offsets[patient_column].tolist(), offsets[days_column].tolist()
    if patient_column is not None or days_column is not None:
        raise ValueError("offsets table: patient_column= and days_column= are for a DataFrame")
    if isinstance(offsets, pd.Series):
        return offsets.index.tolist(), offsets.tolist()
    if isinstance(offsets, Mapping):
        return list(offsets.keys()), list(offsets.values())
    raise TypeError("offsets must be a mapping (patient id -> days), a pandas Series, a two-column "
                    f"DataFrame or an OffsetTable, not {type(offsets).__name__}")


def _whole_days(value) -> int | None:
    if isinstance(value, bool) or _is_missing(value):
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("+-").isdigit():
            return int(text)
        return None
    try:
        as_float = float(value)
    except (TypeError, ValueError):
        return None
    if as_float != as_float or not as_float.is_integer() or abs(as_float) > 1e6:
        return None
    return int(as_float)


def as_offset_table(offsets, never_zero: bool = True, keep_weekday: bool = False) -> OffsetTable | None:
    """``offsets`` as a checked :class:`OffsetTable` (None stays None)."""
    if offsets is None:
        return None
    table = offsets if isinstance(offsets, OffsetTable) else OffsetTable(offsets)
    return table.check(never_zero, keep_weekday)


def date_shift_days(key: Key | None, patient_id=None, min_days: int = DEFAULT_MIN_DAYS,
                    max_days: int = DEFAULT_MAX_DAYS, *, never_zero: bool = True, keep_weekday: bool = False,
                    offsets=None) -> int:
    """The date offset of a patient, in days.

    Derived from HMAC-SHA256(key, normalized patient id) (see
    :func:`~deid.transform.normalize_identifier`), uniform over the offsets of
    ``[min_days, max_days]`` the options allow. Without a patient id (``None`` or blank)
    there is one offset per key.

    - ``never_zero`` (default True): 0 is never drawn (an unshifted patient would keep their
      real dates); with False, 0 is one offset among the others.
    - ``keep_weekday`` (default False): only multiples of 7 are drawn, so every date keeps its
      day of the week.
    - ``offsets``: the data steward's table (patient id -> days; see :class:`OffsetTable`)
      instead of derived offsets; a patient missing from it is a ``ValueError``, and its
      offsets must satisfy ``never_zero`` and ``keep_weekday``. The range does not apply.

    >>> k = Key("an example key, 32 bytes long...")
    >>> d = date_shift_days(k, "MRN0012")
    >>> d != 0 and -365 <= d <= 365 and d == date_shift_days(k, " mrn0012 ")
    True
    >>> date_shift_days(k, "MRN0012", keep_weekday=True) % 7
    0
    >>> date_shift_days(k, "MRN0012", offsets={"mrn0012": 28})
    28
    """
    key = key_param(key)
    min_days, max_days = _check_range(min_days, max_days)
    never_zero, keep_weekday = _check_options(min_days, max_days, never_zero, keep_weekday)
    table = as_offset_table(offsets, never_zero, keep_weekday)
    if table is not None:
        return table.days(patient_id)
    return _offset(key, _patient_message(patient_id), min_days, max_days, never_zero, keep_weekday)


def date_shift_offsets(key: Key | None, patient_ids, min_days: int = DEFAULT_MIN_DAYS,
                       max_days: int = DEFAULT_MAX_DAYS, *, never_zero: bool = True,
                       keep_weekday: bool = False, offsets=None):
    """Per-row offsets (a numpy ``int64`` array) for a column of patient ids, computed once
    per distinct id; a missing id gets the key's no-patient offset. Options as
    :func:`date_shift_days`; with an ``offsets`` table, an id it lacks (or a missing id) is a
    ``ValueError`` giving how many, raised before anything is shifted.

    >>> import pandas as pd
    >>> k = Key("an example key, 32 bytes long...")
    >>> offs = date_shift_offsets(k, pd.Series(["A1", "B2", "A1", None]))
    >>> bool(offs[0] == offs[2] == date_shift_days(k, "A1") and offs[3] == date_shift_days(k))
    True
    """
    import numpy as np
    import pandas as pd

    key = key_param(key)
    min_days, max_days = _check_range(min_days, max_days)
    never_zero, keep_weekday = _check_options(min_days, max_days, never_zero, keep_weekday)
    table = as_offset_table(offsets, never_zero, keep_weekday)
    codes, uniques = pd.factorize(pd.Series(patient_ids, dtype=object) if not isinstance(patient_ids, pd.Series)
                                  else patient_ids, use_na_sentinel=True)
    if table is not None:
        if (codes < 0).any():
            raise ValueError("some rows have no patient id, and an offsets table has no offset without one")
        return np.asarray(table.offsets_for(uniques.tolist()), dtype=np.int64)[codes]
    table_ = np.fromiter(
        (_offset(key, _patient_message(u), min_days, max_days, never_zero, keep_weekday) for u in uniques),
        dtype=np.int64, count=len(uniques),
    )
    table_ = np.append(table_, _offset(key, _patient_message(None), min_days, max_days, never_zero, keep_weekday))
    return table_[codes]  # code -1 (missing) takes the last entry, the no-patient offset


# -- the date window --------------------------------------------------------------------------
class DateWindowWarning(UserWarning):
    """A shifted date fell outside the configured window (``date_window``). The date is
    kept as shifted, not clipped; the message names the window and, in tables, the column
    and how many dates, never a date. Make it an error with
    ``warnings.simplefilter("error", DateWindowWarning)``."""


def check_window(window) -> tuple[_dt.date | None, _dt.date | None] | None:
    """A date window as (first, last) dates, either end None (open). Ends may be
    ``datetime.date`` objects, ISO strings, or ``"today"`` (the day of the call)."""
    if window is None:
        return None
    if isinstance(window, (str, bytes)) or not hasattr(window, "__iter__"):
        raise OperatorParamError("window must be a pair (first, last) of dates, ISO strings, 'today' or None")
    ends = list(window)
    if len(ends) != 2:
        raise OperatorParamError("window must be a pair (first, last) of dates, ISO strings, 'today' or None")
    out = []
    for end in ends:
        if end is None:
            out.append(None)
        elif isinstance(end, _dt.datetime):
            out.append(end.date())
        elif isinstance(end, _dt.date):
            out.append(end)
        elif isinstance(end, str) and end.strip().lower() == "today":
            out.append(_dt.date.today())
        elif isinstance(end, str):
            try:
                out.append(_dt.date.fromisoformat(end.strip()))
            except ValueError:
                raise OperatorParamError("window ends must be ISO dates (YYYY-MM-DD), 'today' or None") from None
        else:
            raise OperatorParamError(
                f"window ends must be dates, ISO strings, 'today' or None, not {type(end).__name__}")
    if out[0] is not None and out[1] is not None and out[0] > out[1]:
        raise OperatorParamError(f"window: first ({out[0]}) is after last ({out[1]})")
    if out == [None, None]:
        return None
    return (out[0], out[1])


def _describe_window(window) -> str:
    first, last = window
    return f"[{first.isoformat() if first else '...'}, {last.isoformat() if last else '...'}]"


def window_message(window, n: int | None = None, where: str = "") -> str:
    """The warning text for dates outside ``window`` (no date in it)."""
    count = "a shifted date falls" if n is None else f"{n} shifted date(s) fall"
    return (f"{where + ': ' if where else ''}{count} outside the date window {_describe_window(window)} "
            "(kept as shifted, not clipped)")


def outside_window(dates, window):
    """Boolean mask: which of ``dates`` (a datetime Series, any resolution or zone; NaT is
    inside) fall outside ``window`` (compared by wall-clock day)."""
    import numpy as np

    if window is None:
        return np.zeros(len(dates), dtype=bool)
    local = dates.dt.tz_localize(None) if getattr(dates.dtype, "tz", None) is not None else dates
    days = local.to_numpy().astype("datetime64[D]")
    out = np.zeros(len(days), dtype=bool)
    valid = ~np.isnat(days)
    first, last = window
    if first is not None:
        out |= valid & (days < np.datetime64(first, "D"))
    if last is not None:
        out |= valid & (days > np.datetime64(last, "D"))
    return out


# -- parsing and rendering --------------------------------------------------------------------
def _full_year(text: str) -> int:
    yy = int(text)
    return 2000 + yy if yy <= _PIVOT else 1900 + yy


def _same_case(source: str, new: str) -> str:
    if source.isupper() and len(source) > 1:
        return new.upper()
    if source.islower():
        return new.lower()
    return new


def _month_name(source: str, month: int, abbreviated: bool) -> str:
    full = _MONTH_NAMES[month]
    if abbreviated:
        new = "Sept" if (source.lower() == "sept" and month == 9) else full[:3]
    else:
        new = full
    return _same_case(source, new)


def _weekday_name(source: str, weekday: int) -> str:
    full = _WEEKDAY_NAMES[weekday]
    return _same_case(source, full if source.lower() in _FULL_WEEKDAYS else full[:3])


def _suffix(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


class _ParsedDate:
    """A date read once, rendered for any offset: the literal text between its fields,
    the fields' kinds and styles, and the date the fields describe."""

    __slots__ = ("base", "literals", "fields")

    def __init__(self, base, literals, fields):
        self.base = base  # datetime.date, or None (weekday alone, kept text)
        self.literals = literals  # len(fields) + 1 strings
        self.fields = fields  # ((kind, style), ...)

    def shifted(self, days: int) -> _dt.date | None:
        """The date moved by ``days`` when a year is written (``None`` for month/day
        without a year, a weekday or month alone, or a relative word): what a date window
        is checked against."""
        if self.base is None or not any(kind in ("y4", "y2") for kind, _ in self.fields):
            return None
        try:
            return self.base + _dt.timedelta(days=days)
        except OverflowError:
            return None

    def render(self, days: int) -> str | None:
        if not self.fields:
            return self.literals[0]
        new = None
        if self.base is not None:
            try:
                new = self.base + _dt.timedelta(days=days)
            except OverflowError:
                return None
        out = [self.literals[0]]
        for (kind, style), literal in zip(self.fields, self.literals[1:]):
            if kind == "y4":
                out.append(f"{new.year:04d}")
            elif kind == "y2":
                out.append(f"{new.year % 100:02d}")
            elif kind == "m":
                out.append(f"{new.month:02d}" if style else str(new.month))
            elif kind == "d":
                out.append(f"{new.day:02d}" if style else str(new.day))
            elif kind == "sfx":
                sfx = _suffix(new.day)
                out.append(sfx.upper() if style else sfx)
            elif kind == "mon":
                out.append(_month_name(style[0], new.month, style[1]))
            else:  # "wd": (weekday + offset) mod 7 is right even without a year
                out.append(_weekday_name(style[0], (style[1] + days) % 7))
            out.append(literal)
        return "".join(out)


def _abbreviated(m: re.Match) -> bool:
    mon = m["mon"]
    return mon.lower() not in _FULL_MONTHS or m.string[m.end("mon"):m.end("mon") + 1] == "."


def _read(m: re.Match, form: str, dayfirst: bool, lead: str, trail: str) -> _ParsedDate:
    """Fields and base date of a match; ``ValueError`` when it is not a real date."""
    g = m.groupdict()
    fields: list[tuple[int, int, str, object]] = []  # (start, end, kind, style)

    def add(group: str, kind: str, style=None):
        fields.append((m.start(group), m.end(group), kind, style))

    year = _REFERENCE_YEAR
    if g.get("y"):
        year = int(g["y"])
        add("y", "y4")
    else:
        for name in ("yy", "yyd"):
            if g.get(name):
                year = _full_year(g[name])
                add(name, "y2")

    base = None
    if form in ("abY", "ab", "ymd", "name"):
        if form in ("abY", "ab"):
            a, b = int(g["a"]), int(g["b"])
            if a > 12 and b > 12:
                raise ValueError("no month")
            day_first = (a > 12) or (b <= 12 and dayfirst)
            m_key, d_key = ("b", "a") if day_first else ("a", "b")
        else:
            m_key, d_key = ("mon" if form == "name" else "m"), "d"
        month = _MONTHS[g["mon"].lower()] if form == "name" else int(g[m_key])
        base = _dt.date(year, month, int(g[d_key]))
        if form == "name":
            add("mon", "mon", (g["mon"], _abbreviated(m)))
            add("d", "d", g["d"].startswith("0"))
        else:
            m_text, d_text = g[m_key], g[d_key]
            # zero-padded when written so, or when both fields have two digits (12/15/2019)
            both_wide = len(m_text) == 2 and len(d_text) == 2
            add(m_key, "m", m_text.startswith("0") or both_wide)
            add(d_key, "d", d_text.startswith("0") or both_wide)
        if g.get("sfx"):
            add("sfx", "sfx", g["sfx"].isupper())
    elif form in ("mY", "monY"):
        if form == "mY":
            base = _dt.date(year, int(g["m"]), _MID_MONTH)
            add("m", "m", g["m"].startswith("0"))
        else:
            base = _dt.date(year, _MONTHS[g["mon"].lower()], _MID_MONTH)
            add("mon", "mon", (g["mon"], _abbreviated(m)))
    elif form == "Y":
        base = _dt.date(year, *_MID_YEAR)
    elif form == "mon":
        base = _dt.date(_REFERENCE_YEAR, _MONTHS[g["mon"].lower()], _MID_MONTH)
        add("mon", "mon", (g["mon"], _abbreviated(m)))
    if g.get("wd"):
        add("wd", "wd", (g["wd"], _WEEKDAYS[g["wd"].lower()]))

    fields.sort()
    text = m.string
    literals, pos = [], 0
    for start, end, _, _ in fields:
        literals.append(text[pos:start])
        pos = end
    literals.append(text[pos:])
    literals[0] = lead + literals[0]
    literals[-1] = literals[-1] + trail
    return _ParsedDate(base, tuple(literals), tuple((kind, style) for _, _, kind, style in fields))


@lru_cache(maxsize=1 << 16)
def parse_date(value: str, dayfirst: bool = False) -> _ParsedDate | None:
    """Read ``value`` once; ``.render(days)`` writes it moved by ``days`` in the same form.
    ``None`` when it is not a date deid can read. Cached: a column of repeated date strings
    is parsed once per distinct string."""
    body = value.strip()
    if not body:
        return None
    lead = value[: len(value) - len(value.lstrip())]
    trail = value[len(value.rstrip()):]
    for form, pattern in _PATTERNS:
        m = pattern.fullmatch(body)
        if m is None:
            continue
        try:
            return _read(m, form, dayfirst, lead, trail)
        except (ValueError, OverflowError):
            continue  # not a real date in this reading (13/45): try the next form
    if body.lower() in _RELATIVE or _TIME_ONLY.fullmatch(body):
        return _ParsedDate(None, (value,), ())
    return None


def shift_date(value: str, days: int, *, dayfirst: bool = False) -> str | None:
    """``value`` moved by ``days`` days in its own written form, or ``None`` when it cannot
    be read as a date.

    Numeric dates are month-first unless the day comes first unambiguously (22.07.2019)
    or ``dayfirst=True``. Month/day without a year is placed in a leap year, so 2/29 works.
    A year alone moves by the whole-year part of the offset: it becomes the year of
    (July 2 of that year + ``days``). A month without a day moves like its 15th. A weekday
    alone moves by ``days`` mod 7. A time of day is kept; so are relative words ("today")
    and a time alone.

    >>> shift_date("July 11th", 12), shift_date("07/22/2019", 10), shift_date("7/22", -1)
    ('July 23rd', '08/01/2019', '7/21')
    >>> shift_date("2019-07-22T14:03", 1), shift_date("'92", 200), shift_date("Thursday", 2)
    ('2019-07-23T14:03', "'93", 'Saturday')
    >>> shift_date("sometime in spring", 5) is None
    True
    """
    days = check_int("days", days)
    if not isinstance(value, str):
        raise TypeError(f"shift_date: the value must be a str, not {type(value).__name__}")
    parsed = parse_date(value, bool(dayfirst))
    return None if parsed is None else parsed.render(days)


def shift_dates(dates, offsets_days):
    """Shift a pandas datetime Series by per-row offsets in days, vectorized.

    ``offsets_days`` is an int or an array of ints (one per row, e.g. from
    :func:`date_shift_offsets`). The result keeps the Series' dtype (resolution and time
    zone), index and name; ``NaT`` stays ``NaT``. Time-zone aware values move by calendar
    days in local time (a 09:00 appointment stays at 09:00 across a DST change); a local
    time that does not exist after the move goes forward to the next valid time, and an
    ambiguous one is read as standard time.

    >>> import pandas as pd
    >>> s = pd.Series(pd.to_datetime(["2019-07-22 14:03", None]))
    >>> shifted = shift_dates(s, [3, 5])
    >>> str(shifted[0]), bool(shifted.isna()[1]), shifted.dtype == s.dtype
    ('2019-07-25 14:03:00', True, True)
    """
    import numpy as np
    import pandas as pd

    series = dates if isinstance(dates, pd.Series) else pd.Series(dates)
    if not pd.api.types.is_datetime64_any_dtype(series.dtype):
        raise TypeError(
            f"shift_dates needs a datetime Series, not dtype {series.dtype}; parse text dates "
            "with pandas.to_datetime first, or shift them as text with Transformer.transform_many"
        )
    offsets = np.asarray(offsets_days)
    if offsets.dtype.kind not in "iu":
        if offsets.dtype.kind == "f" and np.all(np.isfinite(offsets)) and np.all(offsets == np.round(offsets)):
            offsets = offsets.astype(np.int64)
        else:
            raise TypeError("offsets_days must be whole numbers of days (int), one per row or one for all")
    offsets = np.broadcast_to(offsets.astype(np.int64), (len(series),))
    tz = getattr(series.dtype, "tz", None)
    local = series.dt.tz_localize(None) if tz is not None else series
    unit = np.datetime_data(local.to_numpy().dtype)[0]
    values = local.to_numpy()
    step = offsets.astype("timedelta64[D]").astype(f"timedelta64[{unit}]")
    shifted = values + step
    valid = ~np.isnat(values)
    # datetime64 arithmetic wraps around silently at the limits of its resolution
    if np.any((shifted[valid] - values[valid]) != step[valid]) or np.any(np.isnat(shifted[valid])):
        raise OverflowError("a shifted date falls outside the range of the column's datetime resolution")
    out = pd.Series(shifted, index=series.index, name=series.name)
    if tz is not None:
        out = out.dt.tz_localize(tz, ambiguous=np.zeros(len(out), dtype=bool), nonexistent="shift_forward")
    return out.astype(series.dtype)


@lru_cache(maxsize=1 << 16)
def _render(value: str, days: int, dayfirst: bool) -> str | None:
    parsed = parse_date(value, dayfirst)
    return None if parsed is None else parsed.render(days)


class DateShift(DeidOperator):
    """Presidio operator ``date_shift``: move a date by the patient's keyed offset.

    Parameters: ``key`` (a :class:`Key`; default :func:`default_key`), ``patient_id``
    (default ``None``: one offset per key), ``min_days`` / ``max_days`` (default -365 / 365),
    ``days`` (a fixed offset instead of the keyed one), ``dayfirst`` (default False),
    ``unparsed`` (what an unreadable date becomes; default ``"[DATE]"``), and the options of
    :func:`date_shift_days`: ``never_zero`` (default True), ``keep_weekday`` (default False),
    ``offsets`` (the data steward's table, patient id -> days; a patient it lacks is a
    ``ValueError``), and ``window`` (``(first, last)``: a shifted date with a written year
    outside it raises a :class:`DateWindowWarning`; it is kept as shifted, not clipped).

    >>> k = Key("an example key, 32 bytes long...")
    >>> d = date_shift_days(k, "p1")
    >>> DateShift().operate("7/22/2019", {"entity_type": "DATE", "key": k, "patient_id": "p1"}) \\
    ...     == shift_date("7/22/2019", d)
    True
    >>> DateShift().operate("Thursday", {"entity_type": "DATE", "key": k, "patient_id": "p1",
    ...                                  "keep_weekday": True})
    'Thursday'
    """

    name = "date_shift"
    param_names = frozenset({"min_days", "max_days", "days", "dayfirst", "unparsed", "never_zero",
                             "keep_weekday", "offsets", "window"})
    uses_key = True

    def _bind(self, entity_type, key, min_days=DEFAULT_MIN_DAYS, max_days=DEFAULT_MAX_DAYS,
              days=None, dayfirst=False, unparsed=None, never_zero=True, keep_weekday=False,
              offsets=None, window=None):
        min_days, max_days = _check_range(min_days, max_days)
        never_zero, keep_weekday = _check_options(min_days, max_days, never_zero, keep_weekday)
        check_bool("dayfirst", dayfirst)
        if days is not None:
            days = check_int("days", days)
        if unparsed is None:
            unparsed = tag("DATE")
        elif not isinstance(unparsed, str):
            raise OperatorParamError(f"unparsed must be a str, not {type(unparsed).__name__}")
        try:
            table = as_offset_table(offsets, never_zero, keep_weekday)
        except TypeError as exc:
            raise OperatorParamError(str(exc)) from None
        window = check_window(window)

        offsets_seen: dict = {}  # patient id -> offset, for this bound operator

        def offset_of(patient_id) -> int:
            if days is not None:
                return days
            if table is not None:
                return table.days(patient_id)
            offset = offsets_seen.get(patient_id)
            if offset is None:
                if len(offsets_seen) >= 1 << 16:
                    offsets_seen.clear()
                offset = offsets_seen[patient_id] = _offset(
                    key, _patient_message(patient_id), min_days, max_days, never_zero, keep_weekday)
            return offset

        if window is None:
            def bound(value, patient_id=None):
                out = _render(check_value(value, "date_shift"), offset_of(patient_id), dayfirst)
                return unparsed if out is None else out
        else:
            first, last = window

            def bound(value, patient_id=None):
                offset = offset_of(patient_id)
                parsed = parse_date(check_value(value, "date_shift"), dayfirst)
                out = None if parsed is None else parsed.render(offset)
                if out is None:
                    return unparsed
                moved = parsed.shifted(offset)
                if moved is not None and ((first is not None and moved < first) or (last is not None and moved > last)):
                    import warnings

                    warnings.warn(window_message(window), DateWindowWarning, stacklevel=3)
                return out

        # the resolved settings, for the table path (Transformer.transform_many)
        bound.settings = {"min_days": min_days, "max_days": max_days, "days": days,
                          "dayfirst": dayfirst, "unparsed": unparsed, "never_zero": never_zero,
                          "keep_weekday": keep_weekday, "offsets": table, "window": window}
        return bound
