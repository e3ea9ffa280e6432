"""The canonical declarations and the processed-table IO."""
import pandas as pd
import pytest

from helpers import schema, tables


def test_every_table_declares_its_key_and_references_exist():
    for t in schema.TABLES.values():
        assert set(t.key) <= set(t.names), t.name
        for c in t.columns:
            if c.ref:
                ref_table, ref_col = c.ref.split(".")
                assert ref_col in schema.table(ref_table).names, c.ref


def test_unknown_table_is_named_in_swedish():
    with pytest.raises(KeyError, match="Okänd tabell 'klienter'"):
        schema.table("klienter")


def test_data_dictionary_has_swedish_labels_and_rules():
    dd = schema.data_dictionary()
    row = dd[(dd["Tabell"] == "evaluations") & (dd["Kolumn"] == "rating")].iloc[0]
    assert row["Benämning"] == "Skattning 1–10"
    assert "intervall: 1–10" in row["Regler"]
    assert len(dd) == sum(len(t.columns) for t in schema.TABLES.values())


def test_missing_table_reads_as_empty_with_declared_columns(tmp_path):
    df = tables.load_table(tmp_path, "goals")
    assert list(df.columns) == schema.table("goals").names and df.empty


def test_write_and_load_roundtrip_coerces_types(tmp_path):
    raw = pd.DataFrame({"goal_id": ["m1"], "intervention_id": ["i1"], "client_id": ["k1"],
                        "set_on": ["2025-02-01"], "extra": [1]})
    tables.write_table(tmp_path, "goals", raw)
    back = tables.load_table(tmp_path, "goals")
    assert back.loc[0, "set_on"] == pd.Timestamp("2025-02-01")
    assert list(back.columns)[:5] == schema.table("goals").names
    assert pd.isna(back.loc[0, "area"])


def test_without_bookkeeping_only_the_declared_columns_are_read(tmp_path, monkeypatch):
    """Analysis reads a table without the import's own columns; a declared column the file lacks (written by an
    older version) comes back empty, as in the whole table."""
    raw = pd.DataFrame({"goal_id": ["m1", "m2"], "client_id": ["k1", "k2"], "set_on": ["2025-02-01", None],
                        "import_source": ["mal.csv", "mal.csv"], "import_key": ["a" * 40, "b" * 40]})
    tables.write_atomic(raw, tables.table_path(tmp_path, "goals"))  # no intervention_id, no area
    import pyarrow.parquet as pq

    read = []
    original = pq.read_table
    monkeypatch.setattr(pq, "read_table", lambda path, columns=None, **kw: read.append(columns) or
                        original(path, columns=columns, **kw))
    declared = tables.load_table(tmp_path, "goals", bookkeeping=False)
    whole = tables.load_table(tmp_path, "goals")
    assert read == [["goal_id", "client_id", "set_on"], ["goal_id", "client_id", "set_on", "import_source", "import_key"]]
    assert list(declared.columns) == schema.table("goals").names
    assert list(whole.columns) == schema.table("goals").names + ["import_source", "import_key"]
    pd.testing.assert_frame_equal(declared, whole[schema.table("goals").names])


@pytest.mark.parametrize("rows", [0, 1, 500])
def test_a_table_loads_as_pandas_reads_it_with_text_through_its_dictionary(tmp_path, rows):
    import random
    rng = random.Random(rows)
    pick = lambda values: [rng.choice(values) for _ in range(rows)]  # noqa: E731
    raw = pd.DataFrame({
        "intervention_id": [f"I-{i:05d}" for i in range(rows)], "case_id": pick(["A", "Å", "", None, "a b"]),
        "client_id": pick([None]), "unit": pick(["barn_unga", "vuxna", None]), "type": pick(["Samtal", "😀", "e\u0301"]),
        "start": pick(["2025-01-02", None]), "sessions_planned": pick([3, None, 12]),
        "import_source": pick(["insatser.csv", None]), "import_key": pick(["k1", "k2"])})
    tables.write_table(tmp_path, "interventions", raw)
    path = tables.table_path(tmp_path, "interventions")
    whole = tables.load_table(tmp_path, "interventions")
    pd.testing.assert_frame_equal(whole, tables.coerce("interventions", pd.read_parquet(path)))
    declared = tables.load_table(tmp_path, "interventions", bookkeeping=False)
    pd.testing.assert_frame_equal(declared, whole[schema.table("interventions").names])
    pd.read_parquet(path).to_parquet(path, index=False, row_group_size=64)  # in chunks, each with its dictionary
    pd.testing.assert_frame_equal(tables.load_table(tmp_path, "interventions"), whole)
    if rows:  # a few distinct values: the same string objects, not one per row
        units = declared["unit"].dropna().to_numpy(dtype=object)
        assert len({id(u) for u in units}) <= 2


def test_one_column_is_read_typed_as_declared(tmp_path):
    assert tables.load_column(tmp_path, "goals", "set_on") is None  # no such table in the period
    tables.write_table(tmp_path, "goals", pd.DataFrame({"goal_id": ["m1", "m2"], "set_on": ["2025-02-01", None]}))
    set_on = tables.load_column(tmp_path, "goals", "set_on")
    assert set_on.dtype == "datetime64[ns]" and set_on.iloc[0] == pd.Timestamp("2025-02-01") and pd.isna(set_on.iloc[1])
    assert tables.load_column(tmp_path, "goals", "goal_id").dtype == "string"


def test_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    tables.write_table(tmp_path, "goals", pd.DataFrame({"goal_id": ["m1"]}))

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", boom)
    with pytest.raises(OSError):
        tables.write_table(tmp_path, "goals", pd.DataFrame({"goal_id": ["m2"]}))
    monkeypatch.undo()
    assert tables.load_table(tmp_path, "goals")["goal_id"].tolist() == ["m1"]
    assert [p.name for p in tmp_path.iterdir()] == ["goals.parquet"]


def test_rows_sorted_by_text_and_date_keys_come_in_pandas_stable_order():
    """sorted_rows lets Arrow order text and date keys: the same rows in the same order as pandas' stable sort,
    missing values last, for Swedish letters, combining accents, emoji, digits and empty text alike; keys Arrow
    is not given (numbers, text it cannot hold) are sorted by pandas."""
    import random

    import numpy as np
    import pandas as pd

    from helpers import tables

    rng = random.Random(7)
    letters = ["a", "b", "å", "ä", "ö", "A", "Z", "é", "e\u0301", "a\u030a", "ß", "😀", "1", "10", "9", " ", ""]

    def text():
        return None if rng.random() < 0.1 else "".join(rng.choice(letters) for _ in range(rng.randint(0, 3)))

    for _ in range(200):
        n = rng.randint(0, 40)
        dates = [None if rng.random() < 0.2 else f"2025-0{rng.randint(1, 3)}-0{rng.randint(1, 3)}" for _ in range(n)]
        df = pd.DataFrame({"a": pd.array([text() for _ in range(n)], dtype="string"),
                           "b": pd.array([text() for _ in range(n)], dtype="string"),
                           "d": pd.to_datetime(pd.Series(dates, dtype=object)).astype("datetime64[ns]"),
                           "i": pd.array([rng.choice([1, 2, None]) for _ in range(n)], dtype="Int64"),
                           "row": np.arange(n)})
        for columns in (["a"], ["a", "b"], ["b", "d"], ["d", "a", "b"], ["i", "a"], []):
            pd.testing.assert_frame_equal(tables.sorted_rows(df, columns),
                                          df.sort_values(columns, kind="stable").reset_index(drop=True))
    assert tables._arrow_order(df, ["a", "d"]) is not None and tables._arrow_order(df, ["i"]) is None
    lone = pd.DataFrame({"a": pd.array(["b", "\udcff", "a"], dtype="string")})  # a byte decoding left behind
    assert tables._arrow_order(lone, ["a"]) is None and list(tables.sorted_rows(lone, ["a"])["a"]) == ["a", "b",
                                                                                                     "\udcff"]
