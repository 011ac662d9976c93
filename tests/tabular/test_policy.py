"""Policy and Action: forms, checks, the Safe Harbor preset, roles, TOML round trip."""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deid.tabular import ACTIONS, GENERALIZE_METHODS, ROLES, SAFE_HARBOR_RESTRICTED_ZIP3, Action, Policy
from deid.transform import KINDS

from .conftest import SETTINGS


# -- Action ---------------------------------------------------------------------------------------
def test_action_forms_are_equal():
    a = Action("generalize", method="zip3")
    assert Action.parse("generalize:zip3") == a
    assert Action.parse({"action": "generalize", "method": "zip3"}) == a
    assert Action.parse(("generalize", {"method": "zip3"})) == a
    assert Action("generalize", {"method": "zip3", "restricted": list(SAFE_HARBOR_RESTRICTED_ZIP3)}) == a
    assert Action.parse("surrogate:phone") == Action("surrogate", kind="phone")
    assert Action.parse(" keep ") == Action("keep")


def test_action_defaults_are_filled_and_omitted_when_serialized():
    a = Action("pseudonym")
    assert a.params == {"prefix": "PAT", "length": 16, "namespace": ""}
    assert a.to_dict() == {"action": "pseudonym"}
    b = Action("pseudonym", prefix="MRN", length=32)
    assert b.to_dict() == {"action": "pseudonym", "prefix": "MRN", "length": 32}
    assert str(b) == "pseudonym(prefix=MRN, length=32)"


@pytest.mark.parametrize("spec, fragment", [
    ("scramble", "unknown action 'scramble'"),
    ("surrogate", "surrogate needs kind"),
    ("surrogate:planet", "unknown surrogate kind 'planet'"),
    ({"action": "generalize"}, "generalize needs method"),
    ("generalize:decade", "unknown generalize method 'decade'"),
    ({"action": "keep", "method": "zip3"}, "keep got unknown parameter(s) method"),
    ({"action": "pseudonym", "length": 99}, "length must be at most 64"),
    ({"action": "pseudonym", "length": True}, "length must be an integer"),
    ({"action": "generalize", "method": "zip3", "restricted": ["36"]}, "three-digit"),
    ({"action": "generalize", "method": "interval"}, "either width or bins"),
    ({"action": "generalize", "method": "interval", "width": 10, "bins": [0, 1]}, "either width or bins"),
    ({"action": "generalize", "method": "interval", "bins": [3, 1]}, "strictly increasing"),
    ({"action": "generalize", "method": "age_band", "width": 7}, "multiple of width"),
    ({"action": "generalize", "method": "year", "reference": "next tuesday"}, "ISO date"),
    ({"action": "generalize", "method": "zip3", "invalid": "ignore"}, "invalid must be one of"),
    ({"action": "generalize", "method": "map", "mapping": {}}, "non-empty"),
    ({"method": "zip3"}, "needs an 'action' entry"),
    ("keep:now", "takes no ':' argument"),
    (42, "not int"),
])
def test_bad_actions_are_errors_naming_the_place(spec, fragment):
    with pytest.raises(ValueError) as err:
        Action.parse(spec, "column 'x'")
    assert str(err.value).startswith("column 'x': ")
    assert fragment in str(err.value)


def test_every_surrogate_kind_and_method_is_accepted():
    for kind in KINDS:
        assert Action("surrogate", kind=kind).params["kind"] == kind
    needs = {"map": {"mapping": {"a": "b"}}, "interval": {"width": 10}}
    for method in GENERALIZE_METHODS:
        assert Action("generalize", method=method, **needs.get(method, {})).params["method"] == method


# -- Policy ---------------------------------------------------------------------------------------
def test_policy_checks_every_column_at_construction():
    with pytest.raises(ValueError, match=r"column 'phone': unknown surrogate kind 'telephone'"):
        Policy({"mrn": "pseudonym", "phone": "surrogate:telephone"})
    with pytest.raises(ValueError, match=r"column 'zip': 'zap' is neither an action .* nor a role"):
        Policy({"zip": "zap"})
    with pytest.raises(ValueError, match=r"column 'zip': role 'zip' has no action in this policy"):
        Policy({"zip": "zip"})
    with pytest.raises(ValueError, match=r"unknown role 'planet'"):
        Policy(roles={"planet": "keep"})
    with pytest.raises(ValueError, match="default: unknown action"):
        Policy(default="shred")
    with pytest.raises(ValueError, match="text_operators: unknown entity type 'PLANET'"):
        Policy(text_operators={"PLANET": "tag"})
    with pytest.raises(ValueError, match="text_operators: unknown operator 'shred'"):
        Policy(text_operators={"MRN": "shred"})
    with pytest.raises(ValueError, match="date_shift_range"):
        Policy(date_shift_range=(10, -10))


def test_policy_fails_closed_without_a_default():
    p = Policy({"mrn": "pseudonym"})
    with pytest.raises(ValueError) as err:
        p.plan(["mrn", "zip", "notes"])
    assert "'zip', 'notes'" in str(err.value) and "fails closed" in str(err.value)
    assert [str(a) for a in Policy({"mrn": "pseudonym"}, default="drop").plan(["mrn", "zip"]).values()] == \
        ["pseudonym", "drop"]


def test_policy_naming_a_missing_column_is_an_error():
    p = Policy({"mrn": "pseudonym", "ssn": "suppress"}, default="keep")
    with pytest.raises(ValueError, match=r"the policy names column\(s\) not in the data: 'ssn'"):
        p.plan(["mrn", "zip"])


def test_safe_harbor_preset_roles():
    year = Policy.safe_harbor()
    shift = Policy.safe_harbor(dates="shift", reference="2025-01-01")
    assert set(year.roles) == set(ROLES)
    assert year.default is None and year.columns == {}
    assert year.roles["zip"] == Action("generalize", method="zip3")
    assert year.roles["date"] == Action("generalize", method="year")
    assert year.roles["birth_date"] == Action("generalize", method="year", max_age=89)
    assert shift.roles["date"] == Action("date_shift")
    assert shift.roles["birth_date"] == Action("date_shift", max_age=89, reference="2025-01-01")
    assert year.roles["age"] == Action("generalize", method="age_cap")
    assert year.roles["mrn"] == Action("pseudonym") and year.roles["id"] == Action("hash_id")
    assert year.roles["text"] == Action("free_text") and year.roles["attribute"] == Action("keep")
    # every Safe Harbor identifier role is transformed; only attributes are kept
    assert [r for r, a in year.roles.items() if a.name == "keep"] == ["attribute"]
    # contact identifiers are removed from tables, and tagged in notes (the text default)
    assert year.roles["phone"] == year.roles["ssn"] == Action("suppress")
    assert year.text_operators["MRN"] == "pseudonym" and "PHONE" not in year.text_operators
    # or they get surrogates, the same ones in notes and rows
    fake = Policy.safe_harbor(contacts="surrogate")
    assert fake.roles["phone"] == Action("surrogate", kind="phone")
    assert fake.text_operators["PHONE"] == "surrogate" and fake.text_operators["MRN"] == "pseudonym"
    with pytest.raises(ValueError, match="dates must be 'year' or 'shift'"):
        Policy.safe_harbor(dates="month")
    with pytest.raises(ValueError, match="contacts must be"):
        Policy.safe_harbor(contacts="keep")


def test_with_columns_by_role_or_action_and_immutability():
    base = Policy.safe_harbor()
    p = base.with_columns({"zip code": "zip"}, mrn="mrn", sex="keep", visit="surrogate:location")
    assert base.columns == {}  # the preset is not modified
    assert p.action_for("zip code") == Action("generalize", method="zip3")
    assert p.column_roles == {"zip code": "zip", "mrn": "mrn"}
    assert p.action_for("visit") == Action("surrogate", kind="location")
    with pytest.raises(ValueError, match="no default"):
        p.action_for("unnamed")
    q = p.with_options(default="suppress", patient_column="mrn")
    assert q.action_for("unnamed") == Action("suppress") and q.patient_column == "mrn"
    assert q.columns == p.columns
    assert p.without_columns("mrn").columns.keys() == {"zip code", "sex", "visit"}
    with pytest.raises(ValueError, match="unknown option"):
        p.with_options(colour="red")


def test_to_toml_is_valid_toml_and_round_trips(tmp_path):
    p = Policy.safe_harbor(dates="shift", reference="2025-06-30", patient_column="mrn").with_columns({
        "mrn": "mrn", "Zip Code": "zip", 'odd "name"\twith\\escapes': "suppress",
        "sex": Action("generalize", method="map", mapping={"M": "male", "F": "female"}, other="other"),
        "weight": Action("generalize", method="interval", bins=[0, 50.5, 100, 300]),
        "enc": Action("hash_id", namespace="encounters", length=32),
    }).with_options(text_operators={"MRN": ("pseudonym", {"prefix": "MRN"}), "PHONE": "tag"})
    text = p.to_toml(tmp_path / "policy.toml")
    doc = tomllib.loads(text)
    assert doc["columns"]["Zip Code"] == {"action": "generalize", "method": "zip3", "role": "zip"}
    assert doc["default"] == "error"
    assert Policy.from_toml(tmp_path / "policy.toml") == p
    back = Policy.from_toml_text(text)
    assert back.column_roles == p.column_roles and back.roles == p.roles
    assert back.text_operators == {"MRN": ("pseudonym", {"prefix": "MRN"}), "PHONE": "tag"}
    assert not list(tmp_path.glob(".*.tmp"))


def test_toml_files_edited_by_hand():
    text = """
    default = "keep"
    patient_column = "mrn"
    [columns]
    mrn = "pseudonym"
    zip = "generalize:zip3"
    dob = { action = "date_shift", max_age = 89 }
    notes = { action = "free_text" }
    """
    p = Policy.from_toml_text(text)
    assert p.default == Action("keep") and p.patient_column == "mrn"
    assert p.action_for("dob") == Action("date_shift", max_age=89)
    with pytest.raises(ValueError, match=r"policy: column 'zip': unknown generalize method 'zip4'"):
        Policy.from_toml_text('[columns]\nzip = "generalize:zip4"\n')
    with pytest.raises(ValueError, match="unknown policy setting"):
        Policy.from_toml_text('colour = "red"\n')
    with pytest.raises(ValueError, match="not valid TOML"):
        Policy.from_toml_text("[columns\n")
    with pytest.raises(ValueError, match="format 2 is not supported"):
        Policy.from_toml_text("format = 2\n")


def test_from_toml_missing_or_binary_file(tmp_path):
    with pytest.raises(ValueError, match="cannot be read"):
        Policy.from_toml(tmp_path / "absent.toml")
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ValueError, match="not UTF-8"):
        Policy.from_toml(bad)


_names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20)
_actions = st.one_of(
    st.sampled_from([Action(a) for a in ("keep", "drop", "suppress", "free_text", "pseudonym", "hash_id",
                                         "date_shift")]),
    st.builds(lambda k: Action("surrogate", kind=k), st.sampled_from(KINDS)),
    st.builds(lambda w, t: Action("generalize", method="age_band", width=w, top=w * t),
              st.integers(1, 10), st.integers(1, 12)),
    st.builds(lambda m: Action("generalize", method="map", mapping=m),
              st.dictionaries(_names, _names, min_size=1, max_size=4)),
    st.builds(lambda ns, n: Action("hash_id", namespace=ns, length=n), _names, st.integers(1, 64)),
    st.builds(lambda w, o: Action("generalize", method="interval", width=w, origin=o),
              st.floats(0.001, 1e6), st.floats(-1e6, 1e6)),
)


@SETTINGS
@given(st.dictionaries(_names, _actions, max_size=8), st.one_of(st.none(), _actions),
       st.one_of(st.none(), _names))
def test_toml_round_trip_property(columns, default, patient):
    p = Policy(columns, default=default, patient_column=patient)
    assert Policy.from_toml_text(p.to_toml()) == p


def test_role_and_action_names_are_disjoint():
    assert not set(ROLES) & set(ACTIONS)


# -- the read-only mapping ------------------------------------------------------------------------
def test_policy_is_a_read_only_mapping_of_its_columns():
    from collections.abc import Mapping

    p = Policy.safe_harbor().with_columns(mrn="mrn", zip="zip", notes="text", sex="keep")
    assert isinstance(p, Mapping)
    assert len(p) == 4 and list(p) == ["mrn", "zip", "notes", "sex"]
    assert p["zip"] == Action("generalize", method="zip3") and p["sex"] == Action("keep")
    assert dict(p) == p.columns and dict(p.items()) == p.columns
    assert "mrn" in p and "age" not in p and p.get("age") is None
    with pytest.raises(KeyError):
        p["age"]  # unnamed: not in the mapping (action_for answers with the default)
    assert Policy.safe_harbor(default="keep").action_for("age") == Action("keep")
    with pytest.raises(TypeError):
        p["age"] = Action("drop")  # read-only
    assert len(Policy.safe_harbor()) == 0 and not Policy.safe_harbor()  # no column named yet
    # a mapping of the same columns is still not an equal Policy (settings matter)
    assert p != dict(p) and p == Policy.from_toml_text(p.to_toml())
    # a Policy given where a mapping is accepted is used as the Policy it is
    from deid.tabular import scrub_frame
    import pandas as pd

    df = pd.DataFrame({"zip": ["02139"], "age": [93]})
    out = scrub_frame(df, Policy.safe_harbor(default="keep").with_columns(zip="zip"), key="k" * 32)
    assert out["zip"].tolist() == ["021"] and out["age"].tolist() == [93]


@SETTINGS
@given(st.dictionaries(_names, _actions, max_size=8))
def test_mapping_protocol_property(columns):
    p = Policy(columns)
    assert len(p) == len(columns) and list(p) == list(columns)
    assert all(p[c] == Action.parse(a) for c, a in columns.items())


# -- text_dates ----------------------------------------------------------------------------------
def test_text_dates_setting():
    assert Policy.safe_harbor().text_dates == "year"  # dates="year" is the default
    assert Policy.safe_harbor(dates="shift").text_dates is None
    assert Policy().text_dates is None
    p = Policy({"notes": "free_text"}, text_dates="year")
    doc = tomllib.loads(p.to_toml())
    assert doc["text_dates"] == "year" and "text_dates" not in tomllib.loads(Policy().to_toml())
    assert Policy.from_toml_text(p.to_toml()) == p and Policy.from_toml_text(p.to_toml()).text_dates == "year"
    assert p.with_options(text_dates=None).text_dates is None
    assert p.with_columns(x="keep").text_dates == "year"
    assert Policy.safe_harbor().with_options(never_zero=False).text_dates == "year"
    with pytest.raises(ValueError, match="text_dates must be"):
        Policy(text_dates="month")
    with pytest.raises(ValueError, match="text_dates must be"):
        Policy.from_toml_text('text_dates = "shift"\n')
