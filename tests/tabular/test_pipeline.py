"""Files through deid.io and scrub_frame, chunk by chunk: the same output as the whole frame,
and no output at all when a chunk fails."""

from __future__ import annotations

import pytest

from deid.io import TableWriter, iter_table, read_table, write_table
from deid.tabular import Policy, scrub_frame

from .conftest import KEY, TODAY

ROLES = {"encounter_id": "id", "patient_id": "mrn", "mrn": "mrn", "patient_name": "name", "dob": "birth_date",
         "admit_time": "date", "discharge_date": "date", "zip": "zip", "street": "address", "city": "location",
         "state": "attribute", "phone": "phone", "email": "email", "ssn": "ssn", "sex": "attribute",
         "age": "age", "hba1c": "attribute"}


@pytest.mark.parametrize("source_name, target_name", [("in.csv", "out.parquet"), ("in.parquet", "out.jsonl")])
def test_chunked_file_scrub_equals_whole_frame(tmp_path, encounters, source_name, target_name):
    source, target = tmp_path / source_name, tmp_path / target_name
    write_table(encounters, source)
    policy = Policy.safe_harbor(dates="shift").with_columns(ROLES)
    with TableWriter(target, inputs=[source]) as writer:
        for chunk in iter_table(source, chunksize=64):
            writer.write(scrub_frame(chunk, policy, key=KEY, patient_column="patient_id", today=TODAY))
    whole = scrub_frame(read_table(source), policy, key=KEY, patient_column="patient_id", today=TODAY)
    back = read_table(target)
    for column in ("encounter_id", "mrn", "patient_name", "zip", "street", "discharge_date"):
        assert back[column].tolist() == whole[column].astype(str).tolist(), column
    if source_name.endswith(".csv"):  # dates read as text keep their written form
        assert back["dob"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert not set(encounters["mrn"]) & set(back["mrn"])


def test_a_failing_chunk_leaves_no_output(tmp_path, encounters):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    bad = encounters.copy()
    bad.loc[bad.index[300], "zip"] = "not a zip"
    write_table(bad, source)
    before = source.read_bytes()
    policy = Policy.safe_harbor().with_columns(ROLES)
    with pytest.raises(ValueError, match="column 'zip'"):
        with TableWriter(target, inputs=[source]) as writer:
            for chunk in iter_table(source, chunksize=100):
                writer.write(scrub_frame(chunk, policy, key=KEY, patient_column="patient_id", today=TODAY))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]
    assert source.read_bytes() == before
