"""Identifier values (valid-looking, with real check digits where the format has one) and
their surface forms: phones, dates, MRNs, SSNs, DEA and NPI numbers, VINs, plates, ...

Every function takes the random generator explicitly, so a corpus is a pure function of
its seed.
"""

from __future__ import annotations

import datetime as _dt

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_ABBR_DOT = ("Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.",
                  "Oct.", "Nov.", "Dec.")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAY_ABBR = ("Mon", "Tues", "Wed", "Thurs", "Fri", "Sat", "Sun")
HOLIDAYS = ("Christmas", "Christmas Eve", "Thanksgiving", "New Year's Day", "New Year's Eve",
            "Easter", "Memorial Day", "Labor Day", "Fourth of July", "Halloween",
            "Valentine's Day", "Mother's Day", "Father's Day")

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"


def digits(rng, n: int) -> str:
    return "".join(rng.choice(_DIGITS) for _ in range(n))


def letters(rng, n: int, alphabet: str = _LETTERS) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


# -- phones ------------------------------------------------------------------------------
def phone_number(rng, area_codes) -> str:
    """10 digits: an area code of the place, an exchange 200-999 that is not N11."""
    area = rng.choice(area_codes)
    while True:
        exch = f"{rng.randint(200, 999)}"
        if exch[1:] != "11":
            break
    return area + exch + digits(rng, 4)


PHONE_FORMS = ("paren", "paren_tight", "dash", "dot", "space", "plain", "local", "intl",
               "one_dash", "ext", "slash")


def format_phone(p: str, form: str, rng) -> str:
    a, e, l = p[:3], p[3:6], p[6:]
    if form == "paren":
        return f"({a}) {e}-{l}"
    if form == "paren_tight":
        return f"({a}){e}-{l}"
    if form == "dash":
        return f"{a}-{e}-{l}"
    if form == "dot":
        return f"{a}.{e}.{l}"
    if form == "space":
        return f"{a} {e} {l}"
    if form == "plain":
        return p
    if form == "local":
        return f"{e}-{l}"
    if form == "intl":
        return f"+1 {a} {e} {l}"
    if form == "one_dash":
        return f"1-{a}-{e}-{l}"
    if form == "slash":
        return f"{a}/{e}-{l}"
    if form == "ext":
        ext = digits(rng, rng.choice((3, 4, 5)))
        sep = rng.choice((" x", " x", " ext ", " ext. ", " X", "x"))
        return f"{a}-{e}-{l}{sep}{ext}"
    raise ValueError(f"unknown phone form {form!r}")


def pager(rng) -> str:
    """Hospital pager numbers: '4-1234', '12345', '#3-4567'."""
    r = rng.random()
    if r < 0.4:
        return f"{rng.randint(1, 9)}-{digits(rng, 4)}"
    if r < 0.8:
        return f"{rng.randint(1, 9)}{digits(rng, 4)}"
    return f"{rng.randint(100, 999)}-{digits(rng, 4)}"


# -- dates -------------------------------------------------------------------------------
DATE_FORMS = ("md", "md0", "mdyy", "mdyyyy", "iso", "month_dth", "month_d", "d_month",
              "mon_d_yyyy", "month_d_yyyy", "dth_of_month", "month_yyyy", "md_dash",
              "dd_mon_yyyy", "mdyyyy_dash", "weekday", "weekday_abbr", "ts_iso", "ts_us",
              "mon_dth")


def format_date(d: _dt.date, form: str, rng, ts: _dt.datetime | None = None) -> str:
    m, day, y = d.month, d.day, d.year
    if form == "md":
        return f"{m}/{day}"
    if form == "md0":
        return f"{m:02d}/{day:02d}"
    if form == "mdyy":
        return f"{m}/{day}/{y % 100:02d}"
    if form == "mdyyyy":
        return f"{m:02d}/{day:02d}/{y}" if rng.random() < 0.6 else f"{m}/{day}/{y}"
    if form == "mdyyyy_dash":
        return f"{m:02d}-{day:02d}-{y}"
    if form == "iso":
        return f"{y}-{m:02d}-{day:02d}"
    if form == "month_dth":
        return f"{MONTHS[m - 1]} {ordinal(day)}"
    if form == "mon_dth":
        return f"{MONTH_ABBR[m - 1]} {ordinal(day)}"
    if form == "month_d":
        return f"{MONTHS[m - 1]} {day}"
    if form == "d_month":
        return f"{day} {MONTHS[m - 1] if rng.random() < 0.6 else MONTH_ABBR[m - 1]}"
    if form == "mon_d_yyyy":
        return f"{MONTH_ABBR_DOT[m - 1] if rng.random() < 0.3 else MONTH_ABBR[m - 1]} {day}, {y}"
    if form == "month_d_yyyy":
        return f"{MONTHS[m - 1]} {day}, {y}"
    if form == "dth_of_month":
        return f"{ordinal(day)} of {MONTHS[m - 1]}"
    if form == "month_yyyy":
        return f"{MONTHS[m - 1] if rng.random() < 0.7 else MONTH_ABBR[m - 1]} {y}"
    if form == "md_dash":
        return f"{m}-{day}"
    if form == "dd_mon_yyyy":
        return f"{day:02d}-{MONTH_ABBR[m - 1]}-{y}"
    if form == "weekday":
        return WEEKDAYS[d.weekday()]
    if form == "weekday_abbr":
        return WEEKDAY_ABBR[d.weekday()]
    if form in ("ts_iso", "ts_us"):
        t = ts or _dt.datetime(y, m, day, rng.randint(0, 23), rng.randint(0, 59))
        clock = f"{t.hour:02d}:{t.minute:02d}"
        if rng.random() < 0.3:
            clock += f":{rng.randint(0, 59):02d}"
        if form == "ts_iso":
            return f"{y}-{m:02d}-{day:02d} {clock}"
        if rng.random() < 0.4:
            h12 = t.hour % 12 or 12
            return f"{m}/{day}/{y} {h12}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}"
        return f"{m:02d}/{day:02d}/{y} {clock}"
    raise ValueError(f"unknown date form {form!r}")


def clock_time(rng) -> str:
    """A time of day written as nurses do; never PHI: '0400', '14:00', '2pm', '10:30am'."""
    h, mi = rng.randint(0, 23), rng.choice((0, 0, 0, 15, 30, 45, rng.randint(0, 59)))
    r = rng.random()
    if r < 0.45:
        return f"{h:02d}{mi:02d}"
    if r < 0.75:
        return f"{h:02d}:{mi:02d}"
    h12 = h % 12 or 12
    suffix = rng.choice(("am", "pm", "AM", "PM", "a", "p")) if h else "am"
    return f"{h12}{suffix}" if mi == 0 else f"{h12}:{mi:02d}{suffix}"


# -- numbers with a check digit -------------------------------------------------------------
def luhn_check_digit(payload: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def npi(rng) -> str:
    """A 10-digit NPI whose last digit is the Luhn check over '80840' + the first nine."""
    body = rng.choice("12") + digits(rng, 8)
    return body + luhn_check_digit("80840" + body)


def dea(rng, last_name: str) -> str:
    """A DEA registration number: registrant letter, initial of the surname, 7 digits with
    the DEA checksum ((d1+d3+d5) + 2*(d2+d4+d6)) mod 10."""
    d = [rng.randint(0, 9) for _ in range(6)]
    check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
    initial = (last_name[:1] or "X").upper()
    return rng.choice("ABFGM") + initial + "".join(map(str, d)) + str(check)


_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
_VIN_VALUE = {**{str(i): i for i in range(10)},
              **dict(zip("ABCDEFGH", range(1, 9))), **dict(zip("JKLMN", range(1, 6))),
              "P": 7, "R": 9, **dict(zip("STUVWXYZ", range(2, 10)))}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin(rng) -> str:
    """A 17-character VIN (no I, O, Q) with a valid check digit in position 9."""
    chars = [rng.choice(_VIN_CHARS) for _ in range(17)]
    chars[0] = rng.choice("12345JKLSWYZ")
    total = sum(_VIN_VALUE[c] * w for c, w in zip(chars, _VIN_WEIGHTS))
    r = total % 11
    chars[8] = "X" if r == 10 else str(r)
    return "".join(chars)


def plate(rng) -> str:
    r = rng.random()
    if r < 0.35:
        return f"{rng.randint(1, 9)}{letters(rng, 3)}{digits(rng, 3)}"
    if r < 0.7:
        return f"{digits(rng, 3)}-{letters(rng, 3)}"
    return f"{letters(rng, 3)} {digits(rng, 4)}"


# -- SSN, MRN, plan ids --------------------------------------------------------------------
def ssn(rng, *, invalid: bool = False) -> str:
    """Nine digits. Valid-looking: area not 000/666/9xx, group not 00, serial not 0000.
    Invalid-looking ones are what data entry leaves behind (123-45-6789, 000-12-3456)."""
    if invalid:
        return rng.choice(("123456789", "000" + digits(rng, 6), "666" + digits(rng, 6),
                           "9" + digits(rng, 8), digits(rng, 3) + "00" + digits(rng, 4),
                           "111111111", "078051120"))
    while True:
        area = rng.randint(1, 899)
        if area != 666:
            break
    return f"{area:03d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}"


SSN_FORMS = ("dash", "space", "plain")


def format_ssn(s: str, form: str) -> str:
    if form == "dash":
        return f"{s[:3]}-{s[3:5]}-{s[5:]}"
    if form == "space":
        return f"{s[:3]} {s[3:5]} {s[5:]}"
    return s


def mrn(rng) -> str:
    """Seven or eight digits; half of them padded with leading zeros ('00482913')."""
    if rng.random() < 0.5:
        return "00" + str(rng.randint(100000, 999999))
    return str(rng.randint(1000000, 99999999)).zfill(8 if rng.random() < 0.5 else 7)


MRN_FORMS = ("full", "stripped", "dashed")


def format_mrn(m: str, form: str) -> str:
    if form == "stripped":
        return m.lstrip("0") or m
    if form == "dashed":
        return f"{m[:4]}-{m[4:]}" if len(m) == 8 else f"{m[:3]}-{m[3:]}"
    return m


_MBI_ALPHA = "ACDEFGHJKMNPQRTUVWXY"  # letters without S, L, O, I, B, Z


def medicare_mbi(rng) -> str:
    """A Medicare Beneficiary Identifier: 11 characters, written 1EG4-TE5-MK73."""
    an = _MBI_ALPHA + _DIGITS
    c = [str(rng.randint(1, 9)), rng.choice(_MBI_ALPHA), rng.choice(an), rng.choice(_DIGITS),
         rng.choice(_MBI_ALPHA), rng.choice(an), rng.choice(_DIGITS), rng.choice(_MBI_ALPHA),
         rng.choice(_MBI_ALPHA), rng.choice(_DIGITS), rng.choice(_DIGITS)]
    s = "".join(c)
    return f"{s[:4]}-{s[4:7]}-{s[7:]}" if rng.random() < 0.6 else s


def health_plan_id(rng) -> tuple[str, str]:
    """(plan name, member id) for a patient."""
    r = rng.random()
    if r < 0.35:
        return "Medicare", medicare_mbi(rng)
    if r < 0.5:
        return rng.choice(("Medicaid", "MassHealth", "Medi-Cal")), "1000" + digits(rng, 8)
    plan = rng.choice(("Blue Cross", "BCBS", "Harvard Pilgrim", "Tufts Health Plan", "Aetna",
                       "United Healthcare", "Cigna", "Humana", "Kaiser"))
    if rng.random() < 0.6:
        return plan, letters(rng, 3) + digits(rng, 9)
    return plan, rng.choice("WXYZ") + digits(rng, rng.choice((8, 9, 10)))


def account_number(rng) -> str:
    r = rng.random()
    if r < 0.5:
        return digits(rng, rng.choice((8, 9, 10)))
    if r < 0.8:
        return f"{digits(rng, 2)}-{digits(rng, 7)}"
    return letters(rng, 2) + digits(rng, 8)


def device_serial(rng) -> str:
    r = rng.random()
    if r < 0.4:
        return letters(rng, 3) + digits(rng, 6) + rng.choice("SHGRV")
    if r < 0.7:
        return digits(rng, rng.choice((7, 8, 9)))
    return f"{letters(rng, 2)}{digits(rng, 3)}-{digits(rng, 5)}"


def ipv4(rng) -> str:
    first = rng.choice((24, 50, 66, 71, 73, 96, 98, 108, 129, 134, 140, 155, 168, 172, 192, 198, 204))
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def ipv6(rng) -> str:
    groups = [f"{rng.randint(0, 0xffff):x}" for _ in range(4)]
    return "2001:" + f"{rng.randint(0x400, 0xdff):x}:" + ":".join(groups[:2]) + "::" + groups[3]


def state_license(rng) -> str:
    r = rng.random()
    if r < 0.5:
        return digits(rng, rng.choice((5, 6, 7)))
    if r < 0.8:
        return rng.choice(("RN", "MD", "LPN")) + digits(rng, 6)
    return f"{letters(rng, 1)}{digits(rng, 8)}"
