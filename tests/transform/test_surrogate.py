"""surrogate: realistic, consistent fakes of the same kind and shape."""

from __future__ import annotations

import ipaddress
import re

import pytest
from faker.providers.person.en_US import Provider as Person
from hypothesis import assume, given, strategies as st
from presidio_anonymizer.entities import OperatorConfig

from deid.transform import KINDS, Key, Surrogate, surrogate

from .conftest import SETTINGS, anonymize_with_presidio

LAST = [n for n in Person.last_names if n.isalpha()][:200]
FIRST = [n for n in Person.first_names if n.isalpha()][:200]
SURNAMES = set(Person.last_names)
FIRST_NAMES = set(Person.first_names)
HYP_KEY = Key("hypothesis key for surrogate tests!!")


# -- consistency ----------------------------------------------------------------------------
@pytest.mark.parametrize("value,kind", [
    ("John Smith", "name"), ("(617) 555-0142", "phone"), ("jsmith@partners.org", "email"),
    ("123 Main St, Boston, MA 02114", "address"), ("Boston", "location"), ("02114", "zip"),
    ("123-45-6789", "ssn"), ("MRN-0012345", "mrn"), ("https://mychart.example.org/p/1", "url"),
    ("10.1.2.3", "ip_address"),
])
def test_consistent_across_calls_and_key_objects_and_keyed(value, kind, key, same_key, other_key):
    out = surrogate(value, key, kind)
    assert out == surrogate(value, key, kind) == surrogate(value, same_key, kind)
    assert out.casefold() != value.casefold()
    assert surrogate(value, other_key, kind) != out


def test_different_keys_change_most_outputs(key, other_key):
    names = [f"{f} {l}" for f, l in zip(FIRST[:50], LAST[:50])]
    same = sum(surrogate(n, key) == surrogate(n, other_key) for n in names)
    assert same <= 1


def test_default_kind_follows_entity_type(key):
    assert surrogate("(617) 555-0142", key, entity_type="PHONE") == surrogate("(617) 555-0142", key, "phone")
    assert surrogate("02114", key, entity_type="ZIP") == surrogate("02114", key, "zip")
    # phone and fax share a key space: one number, one surrogate, whatever it was tagged
    assert surrogate("617-555-0142", key, "fax") == surrogate("617-555-0142", key, "phone")


# -- names ----------------------------------------------------------------------------------
def test_name_forms_share_the_surrogate_surname(key):
    full = surrogate("John Smith", key)
    first, last = full.split()
    assert surrogate("Smith", key) == last
    assert surrogate("SMITH, JOHN", key) == f"{last.upper()}, {first.upper()}"
    assert surrogate("Smith, John", key) == f"{last}, {first}"
    assert surrogate("John", key) == first
    assert surrogate("Dr. Smith", key) == f"Dr. {last}"
    assert surrogate("john smith", key) == full.lower()
    assert last in SURNAMES and first in FIRST_NAMES


def test_titles_initials_and_credentials(key):
    out = surrogate("Dr. John A. Smith, MD", key)
    assert re.fullmatch(r"Dr\. [A-Z][a-z]+ [A-Z]\. [A-Z][a-zA-Z']+, MD", out)
    assert out.split()[2] != "A."
    initials = surrogate("J.S.", key)
    assert re.fullmatch(r"[A-Z]\.[A-Z]\.", initials) and initials != "J.S."
    # an initial maps the same way wherever it appears
    assert surrogate("J. Smith", key).split()[0] == initials[:2]
    assert surrogate("RN Kelly", key).startswith("RN ")


def test_hyphenated_surname_maps_part_by_part(key):
    out = surrogate("Mary Smith-Jones", key)
    assert re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-zA-Z']+-[A-Z][a-zA-Z']+", out)
    assert out.split()[1].split("-")[0] == surrogate("Smith", key)


def test_first_names_map_to_first_names_and_keep_sex(key):
    for name in ["Mary", "Patricia", "Linda", "margie"]:
        out = surrogate(name, key)
        assert out.casefold() in {n.casefold() for n in Person.first_names_female}
    assert surrogate("Robert", key) in Person.first_names_male
    assert surrogate("Smith", key, "first_name") in FIRST_NAMES
    assert surrogate("John", key, "last_name") in SURNAMES


@SETTINGS
@given(st.sampled_from(FIRST), st.sampled_from(LAST), st.sampled_from(["title", "upper", "lower"]))
def test_name_case_is_kept(first, last, style):
    value = getattr(f"{first} {last}", style)()
    out = surrogate(value, HYP_KEY)
    assert getattr(out, style)() == out
    assert len(out.split()) == 2
    assert out.casefold() != value.casefold()
    assert out.split()[1].casefold() != last.casefold()


# -- numbers --------------------------------------------------------------------------------
_PHONE_FORMATS = ["(###) ###-####", "###-###-####", "###.###.####", "+1 ### ### ####", "1-###-###-####",
                  "### ### ####", "##########", "###-####", "(###)###-#### x###"]


@SETTINGS
@given(st.sampled_from(_PHONE_FORMATS), st.lists(st.integers(0, 9), min_size=16, max_size=16))
def test_phone_keeps_its_format_and_digit_count(fmt, digits):
    it = iter(digits)
    value = "".join(str(next(it)) if c == "#" else c for c in fmt)
    out = surrogate(value, HYP_KEY, "phone")
    assert len(out) == len(value)
    assert [c if not c.isdigit() else "#" for c in out] == [c if not c.isdigit() else "#" for c in value]
    old = re.sub(r"\D", "", value)
    new = re.sub(r"\D", "", out)
    assert new != old
    if value.startswith(("+1", "1-")):
        assert new[0] == "1"  # country code kept
    national = new[-10:] if len(new) >= 10 and "x" not in value else None
    if national:
        assert national[0] in "23456789" and national[3] in "23456789"


def test_same_number_in_two_formats_gets_the_same_digits(key):
    a = surrogate("(617) 555-0142", key, "phone")
    b = surrogate("617.555.0142", key, "phone")
    assert re.sub(r"\D", "", a) == re.sub(r"\D", "", b)


@SETTINGS
@given(st.from_regex(r"[0-9]{3}-[0-9]{2}-[0-9]{4}", fullmatch=True))
def test_ssn_is_well_formed(value):
    out = surrogate(value, HYP_KEY, "ssn")
    area, group, serial = out.split("-")
    assert len(area) == 3 and len(group) == 2 and len(serial) == 4
    assert area not in ("000", "666") and int(area) < 900 and group != "00" and serial != "0000"
    assert out != value


@SETTINGS
@given(st.from_regex(r"[A-Za-z0-9]{1,4}[-/ ]?[A-Za-z0-9]{1,8}", fullmatch=True),
       st.sampled_from(["mrn", "id", "account", "license", "device_id", "vehicle_id", "health_plan_id", "zip"]))
def test_identifiers_keep_their_shape(value, kind):
    out = surrogate(value, HYP_KEY, kind)
    assert len(out) == len(value) and out.casefold() != value.casefold()
    for a, b in zip(value, out):
        if a.isdigit():
            assert b.isdigit()
        elif a.isalpha():
            assert b.isalpha() and b.isupper() == a.isupper()
        else:
            assert a == b


def test_identifier_normalization_ignores_separators_and_case(key):
    assert surrogate("AB-12345", key, "mrn") == surrogate("ab 12345", key, "mrn").upper().replace(" ", "-")


# -- e-mail, URL, IP ------------------------------------------------------------------------
def test_email(key):
    out = surrogate("john.smith@gmail.com", key, "email")
    first, last = surrogate("John Smith", key).lower().split()
    assert out == f"{first}.{last}@gmail.com"  # names inside map like names; public domains stay
    work = surrogate("jsmith22@partners.org", key, "email")
    assert re.fullmatch(r"[a-z]+\d\d@example\.org", work)


def test_url(key):
    out = surrogate("https://www.mychart.partners.org/patient?id=123", key, "url")
    m = re.fullmatch(r"https://www\.([a-z]+)\.example\.org/([a-z]+)\?([a-z]+)=(\d{3})", out)
    assert m and m[4] != "123"


def test_ip_addresses(key):
    out = surrogate("192.168.1.10", key, "ip_address")
    assert isinstance(ipaddress.ip_address(out), ipaddress.IPv4Address) and out != "192.168.1.10"
    v6 = surrogate("2001:db8::1", key, "ip_address")
    assert v6.count(":") == 3 and v6 != "2001:db8::1"


# -- places ---------------------------------------------------------------------------------
def test_address_keeps_structure(key):
    out = surrogate("123 Main Street, Boston, MA 02114", key, "address")
    m = re.fullmatch(r"(\d{3}) ([A-Z][a-zA-Z']+) Street, ([A-Z][a-z]+), MA (\d{5})", out)
    assert m, "structure kept"
    assert m[1] != "123" and m[2] != "Main" and m[3] != "Boston" and m[4] != "02114"
    # the ZIP in an address gets the same surrogate as the ZIP alone; the city as the city
    assert m[4] == surrogate("02114", key, "zip")
    assert m[3] == surrogate("Boston", key, "location")
    po = surrogate("P.O. Box 4471", key, "address")
    assert re.fullmatch(r"P\.O\. Box \d{4}", po) and po != "P.O. Box 4471"
    assert re.fullmatch(r"\d+(st|nd|rd|th) Avenue", surrogate("5th Avenue", key, "address"))


def test_location_keeps_facility_words(key):
    out = surrogate("Massachusetts General Hospital", key, "location")
    assert out.endswith(" General Hospital") and not out.startswith("Massachusetts")
    assert surrogate("St. Mary's Hospital", key, "location").startswith("St. ")
    assert surrogate("St. Mary's Hospital", key, "location").endswith("'s Hospital")
    acronym = surrogate("MGH", key, "location")
    assert re.fullmatch(r"[A-Z]{3}", acronym) and acronym != "MGH"
    assert surrogate("BOSTON", key, "location") == surrogate("Boston", key, "location").upper()
    # all words structural: still never the original
    assert surrogate("General Hospital", key, "location") != "General Hospital"


# -- never the original ---------------------------------------------------------------------
@SETTINGS
@given(st.sampled_from(KINDS), st.text(alphabet="abcXYZ019 .-,@'", min_size=1, max_size=16))
def test_never_equals_the_original(kind, value):
    assume(any(c.isalnum() for c in value))
    out = surrogate(value, HYP_KEY, kind)
    assert out.casefold() != value.casefold()


def test_value_without_letters_or_digits_becomes_the_tag(key):
    assert surrogate("--", key, entity_type="NAME") == "[NAME]"
    assert Surrogate().operate("...", {"entity_type": "PHONE", "key": key}) == "[PHONE]"


# -- parameters, errors, Presidio -----------------------------------------------------------
def test_unknown_kind_and_entity_without_kind_are_named(key):
    with pytest.raises(ValueError, match="'nickname'"):
        surrogate("x", key, "nickname")
    with pytest.raises(ValueError, match="date_shift"):
        Surrogate().validate({"entity_type": "DATE", "key": key})
    with pytest.raises(ValueError, match="age_cap"):
        Surrogate().validate({"entity_type": "AGE", "key": key})


def test_errors_do_not_contain_the_value(key):
    with pytest.raises(TypeError) as info:
        surrogate(6175550142, key, "phone")
    assert "6175550142" not in str(info.value)
    with pytest.raises(ValueError, match="too short") as info:
        surrogate("John Smith", "short key")
    assert "John" not in str(info.value) and "short key" not in str(info.value)
    with pytest.raises(ValueError, match="key must be"):
        surrogate("John Smith", 12345)


def test_no_faker_instance_is_created(key, monkeypatch):
    import faker

    def forbidden(*args, **kwargs):
        raise AssertionError("a Faker instance was created")

    monkeypatch.setattr(faker.Faker, "__init__", forbidden)
    fresh = Key("a key that no other test has used yet!!")
    assert surrogate("Jane Roe", fresh) != "Jane Roe"
    assert surrogate("12 Elm St", fresh, "address") != "12 Elm St"


def test_presidio_engine_uses_surrogate(key):
    text = "Pt John Smith, call 617-555-0142."
    out = anonymize_with_presidio(
        text, [("NAME", 3, 13), ("PHONE", 20, 32)],
        {"NAME": OperatorConfig("surrogate", {"key": key}),
         "PHONE": OperatorConfig("surrogate", {"key": key, "kind": "phone"})},
    )
    assert out == f"Pt {surrogate('John Smith', key)}, call {surrogate('617-555-0142', key, 'phone')}."
