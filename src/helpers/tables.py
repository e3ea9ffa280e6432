"""Reading and writing the processed (canonical) tables of a period: Parquet, written atomically."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .atomic import replace_atomic
from .schema import table as table_spec

_PANDAS_KIND = {"str": "string", "code": "string", "int": "Int64", "float": "Float64", "bool": "boolean",
                "date": "datetime64[ns]"}


def empty_table(name: str) -> pd.DataFrame:
    spec = table_spec(name)
    return pd.DataFrame({c.name: pd.Series(dtype=_PANDAS_KIND[c.kind]) for c in spec.columns})


def coerce(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Give a frame the declared columns (in order) and dtypes; extra columns are kept after them."""
    spec = table_spec(name)
    out = df.copy()
    for c in spec.columns:
        out[c.name] = _typed(c, out[c.name] if c.name in out else pd.Series(pd.NA, index=out.index))
    extra = [c for c in out.columns if c not in spec.names]
    return out[spec.names + extra]


def _typed(column, values: pd.Series) -> pd.Series:
    if column.kind == "date":
        return pd.to_datetime(values, errors="coerce").astype("datetime64[ns]")
    return values.astype(_PANDAS_KIND[column.kind])


def factorize(values: pd.Series, use_na_sentinel: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize``; text through pandas' own object array (no copy), which it hashes in about half the time it
    takes for the string array (the distinct values then come as an object array; without ``use_na_sentinel``,
    a missing value among them is NaN, which a string Series built from them reads as NA)."""
    if isinstance(values.dtype, pd.StringDtype):
        return pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=use_na_sentinel)
    return pd.factorize(values, use_na_sentinel=use_na_sentinel)


def sorted_rows(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``df.sort_values(columns, kind="stable").reset_index(drop=True)``: a stable sort, missing values last. Where
    every column is text or a date, Arrow finds the order (Python orders text by code point, which is the byte order
    of UTF-8 that Arrow compares): pandas compares text as Python objects (the import's sorts at 50 000 clients:
    1,4 s of a core that way, 1,0 s this way)."""
    order = _arrow_order(df, columns) if columns else None
    if order is None:
        return df.sort_values(columns, kind="stable").reset_index(drop=True)
    return df.take(order).reset_index(drop=True)


def _arrow_order(df: pd.DataFrame, columns: list[str]):
    import pyarrow as pa
    import pyarrow.compute as pc

    if not all(isinstance(df[c].dtype, pd.StringDtype) or df[c].dtype == "datetime64[ns]" for c in columns):
        return None
    try:
        keys = [pa.array(df[c].to_numpy(dtype=object), type=pa.string(), from_pandas=True)  # NA: null
                if isinstance(df[c].dtype, pd.StringDtype) else pa.array(df[c], from_pandas=True)  # NaT: null
                for c in columns]
        table = pa.table(keys, names=[f"k{i}" for i in range(len(keys))])
        return pc.sort_indices(table, sort_keys=[(f"k{i}", "ascending") for i in range(len(keys))]).to_numpy()
    except (pa.ArrowException, UnicodeError):  # text Arrow cannot hold (a lone surrogate): pandas sorts it
        return None


def table_path(processed_dir: Path, name: str) -> Path:
    return Path(processed_dir) / f"{name}.parquet"


def load_table(processed_dir: str | Path, name: str, bookkeeping: bool = True) -> pd.DataFrame:
    """A processed table, or an empty one with the declared columns when the period has none. Without
    ``bookkeeping``, the import's own columns (each row's source and natural key, which only the import reads) are
    left in the file: the declared columns load in about two thirds of the time."""
    path = table_path(Path(processed_dir), name)
    if not path.exists():
        return empty_table(name)
    spec = table_spec(name)
    text = [c.name for c in spec.columns if _PANDAS_KIND[c.kind] == "string"]
    return coerce(name, read_rows(path, None if bookkeeping else spec.names, text))


def read_rows(path: Path, wanted: list[str] | None, text: list[str]) -> pd.DataFrame:
    """``pd.read_parquet(path, columns=...)`` for the ``wanted`` columns the file has (all without ``wanted``), but
    the ``text`` columns (stored as text) read as pandas' string array through the file's dictionary of their
    values: a column of a few distinct values (units, types, sexes) becomes many references to those few strings
    instead of one new string per row, in a fifth of the time; the strings are equal either way."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    names = [c for c in (wanted or schema.names) if c in schema.names]  # coerce adds a declared column not stored
    decode = [c for c in names if c in text and pa.types.is_string(schema.field(c).type)]
    table = pq.read_table(path, columns=names, read_dictionary=decode)
    rest = [c for c in names if c not in decode]
    frame = table.select(rest).to_pandas() if rest else pd.DataFrame(index=range(len(table)))
    for c in decode:
        chunks = [_decoded(chunk) for chunk in table.column(c).chunks]  # a chunk's dictionary may differ
        frame[c] = pd.array(np.concatenate(chunks) if chunks else np.array([], dtype=object), dtype="string")
    return frame[names]


def _decoded(chunk) -> np.ndarray:
    """A dictionary-encoded chunk of text as an object array of its strings (None where missing)."""
    values = np.append(np.asarray(chunk.dictionary.to_numpy(zero_copy_only=False), dtype=object), None)
    return values.take(chunk.indices.fill_null(len(values) - 1).to_numpy(zero_copy_only=False))


def load_column(processed_dir: str | Path, name: str, column: str) -> pd.Series | None:
    """One declared column of a processed table, typed as declared; None when the period has no such table."""
    path = table_path(Path(processed_dir), name)
    if not path.exists():
        return None
    return _typed(table_spec(name).column(column), pd.read_parquet(path, columns=[column])[column])


def write_atomic(df: pd.DataFrame, path: Path) -> Path:
    """Write Parquet through a temporary file and rename: a failed write leaves the old file as it was."""
    return replace_atomic(Path(path), lambda tmp: df.to_parquet(tmp, index=False))


def write_excel_csv(df: pd.DataFrame, path: Path) -> Path:
    """A CSV that Swedish Excel opens correctly by double-click: UTF-8 with BOM, semicolon, decimal comma."""
    return replace_atomic(Path(path), lambda tmp: df.to_csv(tmp, sep=";", decimal=",", index=False,
                                                            encoding="utf-8-sig"))


def write_table(processed_dir: str | Path, name: str, df: pd.DataFrame) -> Path:
    return write_atomic(coerce(name, df), table_path(Path(processed_dir), name))
