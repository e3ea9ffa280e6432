"""Writing and reading the publication's files.

Published (under the report folder, ``<output_dir>/publikation/``): ``celler.parquet`` (every cell, numbers only
where the status is "publicerad"), ``publikation.json`` (version, method, thresholds, counts), the Excel workbook
``indikatorer.xlsx`` with Swedish labels, the data dictionary ``ordlista.csv``/``.parquet`` and one Parquet per
indicator under ``indikatorer/`` (views of the same cells).
Internal (under the period's processed data, never published): ``celler_intern.parquet`` with the true values and
why each cell is hidden (primär/sekundär), which later periods need to keep their own publications consistent.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from .. import labels
from ..config import Config
from ..atomic import replace_atomic, write_text_atomic
from ..formatting import SUPPRESSED as X
from ..indicators.registry import INDICATORS, REGISTRY, UNIT_LABELS, dictionary
from ..sharing import PUBLICATION_WRITTEN, announce
from ..tables import write_atomic, write_excel_csv
from .primary import assert_publishable
from .views import NOT_APPLICABLE, NUMBERS, PUBLISHED, Publication, published_numbers, unit_label
from .xlsx import DECIMAL, PERCENT, Sheet, workbook_bytes

FOLDER = "publikation"
INTERNAL = "celler_intern.parquet"
PUBLISHED_FILE = "celler.parquet"
META = "publikation.json"
WORKBOOK = "indikatorer.xlsx"  # the indicator tables for readers, with Swedish labels
PUBLIC_COLUMNS = ["cell_id", "indicator", "scope", "period", "grouping", "group", "category", "numerator",
                  "denominator", "value", "ci_low", "ci_high", "n", "kind", "status"]
EXCEL_HEADERS = {"scope": "Område", "period": "Period", "grouping": "Indelning", "group": "Grupp",
                 "category": "Kategori", "numerator": "Täljare", "denominator": "Nämnare", "value": "Värde",
                 "ci_low": "95 % konfidensintervall, nedre", "ci_high": "95 % konfidensintervall, övre",
                 "n": "Antal (n)", "status": "Status"}
GLOSSARY_HEADERS = {"label": "Indikator", "description": "Definition", "numerator": "Täljare",
                    "denominator": "Nämnare", "unit_label": "Mått", "groupings": "Indelningar", "name": "Kod"}


def internal_path(processed_dir: Path) -> Path:
    return Path(processed_dir) / FOLDER / INTERNAL


def version(published: pd.DataFrame) -> str:
    """A content hash of the published cells: the same cells give the same version, in memory or read back."""
    h = hashlib.sha256()
    for col in PUBLIC_COLUMNS:
        values = published[col]
        if col in NUMBERS:
            text = ["" if v != v else f"{float(v):.10g}" for v in pd.to_numeric(values).to_numpy(dtype=float)]
        else:
            text = ["" if v is None or v != v else str(v) for v in values.astype(object)]
        h.update(("\x1f".join([col, *text]) + "\x1e").encode("utf-8"))
    return h.hexdigest()[:16]


def write_internal(cells: pd.DataFrame, processed_dir: Path) -> Path:
    return write_atomic(cells.reset_index(drop=True), internal_path(processed_dir))


def read_internal(processed_dir: Path) -> pd.DataFrame | None:
    path = internal_path(processed_dir)
    return pd.read_parquet(path) if path.exists() else None


def write_published(cells: pd.DataFrame, out_dir: Path, config, period: str, meta: dict) -> dict[str, Path]:
    """Every published file of the period under ``<out_dir>/publikation/``; returns them by name."""
    folder = Path(out_dir) / FOLDER
    public = published_numbers(cells)[PUBLIC_COLUMNS].reset_index(drop=True)
    public = public.astype({c: float for c in NUMBERS})
    assert_publishable(public.assign(suppressed=public["status"] != PUBLISHED), config.min_cell)
    meta = {**meta, "period": str(period), "version": version(public)}
    written = {"celler": write_atomic(public, folder / PUBLISHED_FILE)}
    written["meta"] = write_text_atomic(folder / META, json.dumps(meta, ensure_ascii=False, indent=2))
    glossary = dictionary()
    written["ordlista"] = write_atomic(glossary, folder / "ordlista.parquet")
    written["ordlista_csv"] = write_excel_csv(glossary.rename(columns=GLOSSARY_HEADERS)[list(GLOSSARY_HEADERS.values())],
                                              folder / "ordlista.csv")
    pub = Publication(public, config, period, meta)
    _write_by_indicator(pub, folder / "indikatorer")
    announce(PUBLICATION_WRITTEN)  # the runner may start the annexes while the workbook is written
    written["excel"] = write_workbook(pub, folder / WORKBOOK)
    return written


class MissingStepError(RuntimeError):
    """A step asked for before the steps it reads have run (Swedish message naming the step to run first)."""


def _publication_folder(folder: Path) -> Path:
    """``…/publikation``, given it or the report folder above it."""
    folder = Path(folder)
    return folder if folder.name == FOLDER else folder / FOLDER


def require_publication(folder: Path, period: str) -> None:
    """Stop with a clear message when step 5 has not published the period in ``folder`` (``…/publikation``)."""
    folder = _publication_folder(folder)
    if not (folder / PUBLISHED_FILE).exists():
        raise MissingStepError(f"Publikationen för {period} saknas i {folder}. Kör steg 5 (05_sammanstall) för "
                               "perioden först.")


def read_published(folder: Path) -> tuple[pd.DataFrame, dict]:
    folder = _publication_folder(folder)
    cells = pd.read_parquet(folder / PUBLISHED_FILE)
    meta_path = folder / META
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    return cells, meta


_loaded: tuple[tuple, object, Publication] | None = None  # (what it was loaded from, its config, it)


def load_publication(folder: Path, config, period: str) -> Publication:
    """The published cells of a period (``<report folder>/publikation``) with their views.

    Loaded once per process while its files and the config are unchanged: step 5's overview, step 6, every
    report's figures, text and annex read the same publication, and reading it and building its views took
    ~0,15 s each time (for each unit's report and annex again). Callers read it; none may change it."""
    global _loaded
    require_publication(folder, period)
    folder = _publication_folder(folder)
    files = tuple((s.st_ino, s.st_size, s.st_mtime_ns) if (s := _stat(folder / name)) else None
                  for name in (PUBLISHED_FILE, META))
    key = (str(folder.resolve()), str(period), files)
    # A Config is compared by its file and contents; any other object by identity (kept in _loaded, so its id
    # is not reused while it is compared).
    if _loaded is not None and _loaded[0] == key and (
            _loaded[1] is config or (isinstance(config, Config) and _loaded[1] == config)):
        return _loaded[2]
    cells, meta = read_published(folder)
    pub = Publication(cells, config, str(period), meta)
    _loaded = (key, config, pub)
    return pub


def _stat(path: Path):
    try:
        return path.stat()
    except OSError:
        return None


def _sheet_names() -> dict[str, str]:
    """A unique Swedish sheet name (at most 31 characters) per indicator."""
    used, out = {"Ordlista", "Om filen"}, {}
    for ind in INDICATORS:
        base = "".join(ch for ch in ind.label if ch not in "[]:*?/\\")[:31].rstrip()
        name, i = base, 2
        while name in used:
            name = f"{base[:28]} {i}"
            i += 1
        used.add(name)
        out[ind.name] = name
    return out


def _write_by_indicator(pub: Publication, folder: Path) -> None:
    """One Parquet file per indicator with its rows of the view, in the view's order: the view converted to Arrow
    once and cut in parts (the same columns, types and rows as each part written by pandas, in a third of the time)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(pub.view[PUBLIC_COLUMNS], preserve_index=False)
    codes, names = pd.factorize(pub.view["indicator"], sort=False)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
    for i, name in enumerate(names):
        part = table.take(order[bounds[i]:bounds[i + 1]])
        replace_atomic(folder / f"{name}.parquet", lambda tmp, part=part: pq.write_table(part, tmp))


def _by_indicator(pub: Publication):
    """(indicator, its rows of the view) in the view's order."""
    return pub.view.groupby("indicator", sort=False)


def _labelled(label, *columns: pd.Series) -> np.ndarray:
    """label(*values) for every row, computed once per distinct combination of values."""
    known: dict = {}
    rows = zip(*(c.to_numpy(dtype=object) for c in columns))
    return np.array([known[k] if k in known else known.setdefault(k, label(*k)) for k in rows], dtype=object)


def excel_rows(part: pd.DataFrame, config) -> dict[str, np.ndarray]:
    """One indicator's cells (its rows of the view) as the workbook's columns by Swedish header: Swedish labels,
    X for suppressed numbers, "ej tillämplig" where it does not apply, None for an empty cell."""
    status = part["status"].to_numpy(dtype=object)
    hidden = status != PUBLISHED
    shown = np.where(status[hidden] == NOT_APPLICABLE, "ej tillämplig", X)
    out = {
        "scope": _labelled(lambda s: unit_label(config, s), part["scope"]),
        "period": _cells(part["period"]),
        "grouping": _labelled(labels.grouping_label, part["grouping"]),
        "group": _labelled(lambda g, v: labels.group_label(g, v, config), part["grouping"], part["group"]),
        "category": _labelled(lambda c: labels.category_label(c) if c else "", part["category"]),
    }
    for c in ("numerator", "denominator", "value", "ci_low", "ci_high", "n"):
        out[c] = _cells(part[c])
        out[c][hidden] = shown
    out["status"] = _cells(part["status"])
    return {EXCEL_HEADERS[c]: v for c, v in out.items()}


def _cells(column: pd.Series) -> np.ndarray:
    """The column's values as Python objects, None where missing (an empty cell)."""
    values = column.to_numpy(dtype=object, copy=True)
    values[pd.isna(values)] = None
    return values


def _frame_columns(frame: pd.DataFrame) -> dict[str, list]:
    return {str(c): _cells(frame[c]).tolist() for c in frame.columns}


def workbook_sheets(pub: Publication) -> list[Sheet]:
    """The Excel workbook's sheets: an information sheet, the glossary and one sheet per indicator."""
    names = _sheet_names()
    about = pd.DataFrame({"Uppgift": ["Kommun", "Period", "Version", "Undertryckta uppgifter", "Ej tillämplig"],
                          "Värde": [pub.config.municipality, pub.period, pub.meta.get("version", ""),
                                    f"{X} = visas inte (röjandekontroll)",
                                    "indikatorn gäller inte enhetens verksamhetsområde"]})
    glossary = dictionary().rename(columns=GLOSSARY_HEADERS)[list(GLOSSARY_HEADERS.values())]
    sheets = [Sheet("Om filen", _frame_columns(about), widths={0: 40, 1: 40}),
              Sheet("Ordlista", _frame_columns(glossary), widths=dict.fromkeys(range(len(glossary.columns)), 30))]
    values = {EXCEL_HEADERS[c] for c in ("value", "ci_low", "ci_high")}
    for name, part in _by_indicator(pub):
        rows = {header: column.tolist() for header, column in excel_rows(part, pub.config).items()}
        style = PERCENT if REGISTRY[name].kind == "share" else DECIMAL
        sheets.append(Sheet(names[name], rows, widths={j: 26 if j < 5 else 14 for j in range(len(rows))},
                            styles={j: style for j, header in enumerate(rows) if header in values}))
    return sheets


def write_workbook(pub: Publication, path: Path) -> Path:
    """The Excel workbook, Swedish throughout (see workbook_sheets). Every text is written as text: a label that
    begins with "=" (a unit's name in the config, say) must not become a formula in the reader's Excel."""
    sheets = workbook_sheets(pub)
    return replace_atomic(path, lambda tmp: Path(tmp).write_bytes(workbook_bytes(sheets)))


def unit_text(name: str) -> str:
    return UNIT_LABELS[REGISTRY[name].unit]
