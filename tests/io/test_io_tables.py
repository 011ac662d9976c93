"""deid.io: round trips per format, streaming, atomic writes, clear errors (never a value)."""

from __future__ import annotations

import gzip
import os

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deid.io import TableError, TableWriter, iter_table, read_table, table_format, write_table
from deid.synth import generate_corpus

SETTINGS = settings(deadline=None, max_examples=25, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
SECRET = "Quackenbush"


@pytest.fixture(scope="module")
def patients() -> pd.DataFrame:
    recs = list(generate_corpus(300, seed=11).records.values())
    return pd.DataFrame({
        "mrn": [r.mrn for r in recs],
        "name": [f"{r.last_name}, {r.first_name}" for r in recs],
        "zip": [r.address.zip for r in recs],
        "street": [r.address.street for r in recs],
        "email": [r.email or None for r in recs],
        "dob": pd.to_datetime([r.date_of_birth for r in recs]),
        "age": pd.array([40 + i % 60 if i % 7 else None for i in range(len(recs))], dtype="Int64"),
        "weight": [70.5 + i for i in range(len(recs))],
    })


def files(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -- round trips -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["t.csv", "t.tsv", "t.csv.gz", "t.tab.bz2", "t.jsonl", "t.ndjson.gz"])
def test_text_formats_round_trip_as_written(tmp_path, patients, name):
    path = tmp_path / name
    write_table(patients, path)
    back = read_table(path)
    assert list(back.columns) == list(patients.columns)
    assert back["zip"].tolist() == patients["zip"].tolist()  # leading zeros survive
    assert back["mrn"].tolist() == patients["mrn"].tolist()
    assert back["email"].isna().tolist() == patients["email"].isna().tolist()
    assert back["age"].isna().tolist() == patients["age"].isna().tolist()
    assert files(tmp_path) == [name]  # no temporary file left


def test_csv_text_by_default_and_inferred_on_request(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("zip,n,flag,note\n02139,7,NA,\n00501,8,null,x\n", encoding="utf-8")
    text = read_table(path)
    assert text["zip"].tolist() == ["02139", "00501"] and text["n"].tolist() == ["7", "8"]
    assert text["flag"].tolist() == ["NA", "null"]  # only empty fields are missing
    assert text["note"].isna().tolist() == [True, False]
    inferred = read_table(path, dtype=None)
    assert inferred["zip"].tolist() == [2139, 501] and inferred["flag"].isna().all()


def test_parquet_round_trip_keeps_types(tmp_path, patients):
    path = tmp_path / "t.parquet"
    write_table(patients, path)
    back = read_table(path)
    pd.testing.assert_frame_equal(back, patients, check_dtype=False)
    assert back["age"].dtype == "Int64" and back["dob"].dtype.kind == "M"
    assert pq.ParquetFile(path).schema_arrow.field("age").type == pa.int64()
    tz = pd.DataFrame({"t": pd.to_datetime(["2020-03-08 09:00"]).tz_localize("America/New_York")})
    write_table(tz, tmp_path / "tz.parquet")
    assert str(read_table(tmp_path / "tz.parquet")["t"].dtype.tz) == "America/New_York"


@pytest.mark.parametrize("name", ["t.csv", "t.parquet", "t.jsonl"])
def test_streaming_equals_whole_read(tmp_path, patients, name):
    path = tmp_path / name
    write_table(patients, path)
    whole = read_table(path)
    chunks = list(iter_table(path, chunksize=17))
    sizes = [len(c) for c in chunks]
    assert len(patients) > 40 and sum(sizes) == len(patients)
    assert set(sizes[:-1]) == {17} and 0 < sizes[-1] <= 17
    pd.testing.assert_frame_equal(pd.concat(chunks), whole)
    subset = read_table(path, columns=["zip", "mrn"])
    assert list(subset.columns) == ["zip", "mrn"]
    with pytest.raises(TableError, match=r"no column\(s\) 'phone'"):
        read_table(path, columns=["phone"])


@SETTINGS
@given(st.integers(1, 90), st.sampled_from(["csv", "parquet", "jsonl"]))
def test_chunked_write_then_read_property(tmp_path_factory, patients, chunksize, fmt):
    folder = tmp_path_factory.mktemp("prop")
    path = folder / f"t.{fmt}"
    pieces = (patients.iloc[i:i + chunksize] for i in range(0, len(patients), chunksize))
    write_table(pieces, path)
    back = pd.concat(list(iter_table(path, chunksize=chunksize)))
    assert back["mrn"].tolist() == patients["mrn"].tolist()
    assert back["zip"].tolist() == patients["zip"].tolist()
    assert files(folder) == [path.name]


def test_empty_tables(tmp_path):
    empty = pd.DataFrame({"a": pd.Series([], dtype="str"), "b": pd.Series([], dtype="Int64")})
    for name in ("e.csv", "e.parquet", "e.jsonl"):
        write_table(empty, tmp_path / name)
        chunks = list(iter_table(tmp_path / name, chunksize=10))
        assert len(chunks) == 1 and len(chunks[0]) == 0
    assert list(read_table(tmp_path / "e.csv").columns) == ["a", "b"]
    assert list(read_table(tmp_path / "e.parquet").columns) == ["a", "b"]


# -- atomic writes ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["out.csv", "out.parquet", "out.jsonl.gz"])
def test_a_failure_leaves_no_output_and_keeps_the_old_one(tmp_path, patients, name):
    target = tmp_path / name

    def chunks():
        yield patients.iloc[:30]
        raise RuntimeError("the scrub failed half-way")

    with pytest.raises(RuntimeError):
        write_table(chunks(), target)
    assert files(tmp_path) == []
    write_table(patients.iloc[:5], target)
    before = target.read_bytes()
    with pytest.raises(RuntimeError):
        write_table(chunks(), target)
    assert target.read_bytes() == before and files(tmp_path) == [name]


def test_writer_context_and_checks(tmp_path, patients):
    source = tmp_path / "in.csv"
    write_table(patients, source)
    before = source.read_bytes()
    with pytest.raises(TableError, match="is an input of this run"):
        write_table(read_table(source), source, inputs=[source])
    assert source.read_bytes() == before
    with pytest.raises(TableError, match="exists"):
        write_table(patients, source, overwrite=False)
    with pytest.raises(TableError, match="folder does not exist"):
        write_table(patients, tmp_path / "missing" / "o.csv")
    with pytest.raises(TableError, match="other columns"):
        with TableWriter(tmp_path / "o.csv") as w:
            w.write(patients)
            w.write(patients[["zip", "mrn"]])
    with pytest.raises(TableError, match=r"column 'age' .* does not fit"):
        with TableWriter(tmp_path / "o.parquet") as w:
            w.write(patients)
            w.write(patients.assign(age="ninety"))
    assert files(tmp_path) == ["in.csv"]
    mode = os.stat(source).st_mode & 0o777
    assert mode & 0o600 == 0o600
    with pytest.raises(TableError, match="Parquet needs"):
        write_table(iter([]), tmp_path / "none.parquet")


def test_streaming_pipeline_reads_and_writes_chunk_by_chunk(tmp_path, patients):
    source, target = tmp_path / "in.jsonl", tmp_path / "out.parquet"
    write_table(patients, source)
    with TableWriter(target, inputs=[source]) as w:
        for chunk in iter_table(source, chunksize=25):
            w.write(chunk.assign(zip=chunk["zip"].str[:3]))
    assert read_table(target)["zip"].tolist() == [z[:3] for z in patients["zip"]]


# -- errors ---------------------------------------------------------------------------------------------
def test_format_from_name():
    assert table_format("a.CSV") == ("csv", None)
    assert table_format("a.tsv.xz") == ("tsv", "xz")
    assert table_format("a.txt", "csv") == ("csv", None)
    with pytest.raises(TableError, match="cannot tell the table format"):
        table_format("a.xlsx")
    with pytest.raises(TableError, match="unknown table format"):
        table_format("a.csv", "excel")
    with pytest.raises(TableError, match="own compression"):
        table_format("a.parquet.gz")


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(TableError, match="does not exist") as err:
        read_table(tmp_path / "nope.csv")
    assert err.value.path.endswith("nope.csv")
    with pytest.raises(TableError, match="is a folder"):
        read_table(tmp_path, format="csv")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(TableError, match="empty"):
        read_table(tmp_path / "empty.csv")
    (tmp_path / "fake.parquet").write_text(f"name\n{SECRET}\n")
    with pytest.raises(TableError, match="not a readable Parquet file") as err:
        read_table(tmp_path / "fake.parquet")
    assert SECRET not in str(err.value)
    (tmp_path / "fake.csv.gz").write_text(f"name\n{SECRET}\n")
    with pytest.raises(TableError, match="cannot be read") as err:
        read_table(tmp_path / "fake.csv.gz")
    assert SECRET not in str(err.value)


@pytest.mark.parametrize("name", ["bad.csv", "bad.csv.gz", "bad.jsonl"])
def test_wrong_encoding_names_the_line(tmp_path, name):
    rows = ["name,city"] + [f"Smith{i},Boston" for i in range(300)] + [f"{SECRET},Montr\xe9al"]
    if name.endswith(".jsonl"):
        rows = [f'{{"name": "Smith{i}"}}' for i in range(300)] + [f'{{"name": "{SECRET} Montr\xe9al"}}']
    data = ("\n".join(rows) + "\n").encode("latin-1")
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    with pytest.raises(TableError) as err:
        list(iter_table(path, chunksize=50))
    message = str(err.value)
    assert "not valid utf-8" in message and err.value.line == len(rows) and SECRET not in message
    assert read_table(path, encoding="latin-1")["name"].iloc[-1].startswith(SECRET)


def test_malformed_rows_name_the_line(tmp_path):
    path = tmp_path / "m.csv"
    lines = ["a,b"] + [f"{i},x" for i in range(200)] + [f"1,{SECRET},extra"] + ["2,y"]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(TableError) as err:
        list(iter_table(path, chunksize=64))
    assert err.value.line == 202 and "3 fields where the header has 2" in str(err.value)
    assert SECRET not in str(err.value)
    quoted = tmp_path / "q.csv"
    quoted.write_text(f'a,b\n1,"{SECRET}\n2,3\n')
    with pytest.raises(TableError, match="never closed") as err:
        read_table(quoted)
    assert err.value.line == 2 and SECRET not in str(err.value)


def test_jsonl_errors(tmp_path):
    cases = {
        "syntax": (f'{{"a": 1}}\n{{"a": "{SECRET}",}}\n', "not valid JSON", 2),
        "array": ('{"a": 1}\n[1, 2]\n', "must be an object", 2),
        "nested": (f'{{"a": 1}}\n\n{{"a": {{"name": "{SECRET}"}}}}\n', "field 'a' is nested", 3),
    }
    for label, (text, fragment, line) in cases.items():
        path = tmp_path / f"{label}.jsonl"
        path.write_text(text)
        with pytest.raises(TableError) as err:
            read_table(path)
        assert fragment in str(err.value) and err.value.line == line and SECRET not in str(err.value), label
    late = tmp_path / "late.jsonl"
    late.write_text('{"a": 1}\n{"a": 2}\n{"a": 3, "b": 4}\n')
    with pytest.raises(TableError, match="field 'b' first appears after the first 2 rows"):
        list(iter_table(late, chunksize=2))
    assert read_table(late)["b"].isna().tolist() == [True, True, False]


def test_nested_parquet_columns_are_refused(tmp_path):
    table = pa.table({"id": [1, 2], "contacts": [[{"name": SECRET}], []], "meta": [{"k": 1}, {"k": 2}]})
    pq.write_table(table, tmp_path / "n.parquet")
    with pytest.raises(TableError, match=r"column 'contacts' is nested") as err:
        read_table(tmp_path / "n.parquet")
    assert SECRET not in str(err.value)
    assert read_table(tmp_path / "n.parquet", columns=["id"])["id"].tolist() == [1, 2]


def test_read_options_are_checked(tmp_path, patients):
    write_table(patients, tmp_path / "t.csv")
    with pytest.raises(ValueError, match="chunksize"):
        iter_table(tmp_path / "t.csv", chunksize=0)
    with pytest.raises(ValueError, match="dtype"):
        read_table(tmp_path / "t.csv", dtype="int")
    with pytest.raises(TableError, match="unknown encoding"):
        read_table(tmp_path / "t.csv", encoding="klingon")
    assert np.array_equal(read_table(tmp_path / "t.csv", sep=",")["zip"], patients["zip"])
