"""Run the indicators for a period (and earlier periods with data), apply disclosure control and write
the published files: one Parquet per indicator, the data dictionary, the suppression summary and Excel."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from . import primary as disclosure
from ..config import Config, load_config, period_paths
from ..grouping import GROUPING_LABELS, TOTAL_GROUP
from ..tables import write_atomic
from ..indicators.context import PeriodData
from ..indicators.registry import CATEGORY_LABELS, REGISTRY, UNIT_LABELS, dictionary, get

COLUMNS = disclosure.PUBLISHED_COLUMNS
EXCEL_HEADERS = {"indicator": "Indikator", "period": "Period", "grouping": "Indelning", "group": "Grupp",
                 "category": "Kategori", "numerator": "Täljare", "denominator": "Nämnare", "value": "Värde",
                 "ci_low": "Konfidensintervall, nedre (95 %)", "ci_high": "Konfidensintervall, övre (95 %)",
                 "n": "Antal (n)", "suppressed": "Undertryckt"}


def _config(config) -> Config:
    return config if isinstance(config, Config) else load_config(config)


def earlier_periods(period: str, data_dir) -> list[str]:
    """Years before `period` that have a processed folder, oldest first."""
    base = period_paths(period, data_dir).data_dir / "processed"
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir()
                  if p.is_dir() and p.name.isdigit() and len(p.name) == 4 and int(p.name) < int(period))


def _one_period(name: str, data: PeriodData) -> pd.DataFrame:
    ind = get(name)
    try:
        cells = ind.compute(data)
    except (KeyError, ValueError, TypeError) as exc:
        raise RuntimeError(f"Indikatorn '{name}' kunde inte beräknas för period {data.period} "
                           f"({data.processed_dir}): {exc}") from exc
    cells.insert(0, "period", data.period)
    cells.insert(0, "indicator", name)
    cells["suppressed"] = False
    return disclosure.apply_disclosure(cells, ind.kind, data.config.min_cell, data.config.min_group,
                                       ind.distribution)


def _period_data(period, data_dir, config, unit, tables=None) -> PeriodData:
    paths = period_paths(str(period), data_dir, None, unit)
    return PeriodData(str(period), paths.processed_for(period), config, unit, tables)


def compute_indicator(name: str, period: str, data_dir="data", config=None, unit: str | None = None,
                      earlier: bool = False, tables: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """One indicator's full (unpublished) table: every cell with its values and `suppressed` set.

    `tables` gives the period's tables directly (used in tests) instead of reading data/processed.
    """
    cfg = _config(config)
    periods = (earlier_periods(period, data_dir) if earlier else []) + [str(period)]
    frames = [_one_period(name, _period_data(p, data_dir, cfg, unit, tables if p == str(period) else None))
              for p in periods]
    return pd.concat(frames, ignore_index=True)


def compute_all(period: str, data_dir="data", config=None, unit: str | None = None, earlier: bool = True,
                names: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """All registered indicators for the period (and earlier periods with data), tables loaded once."""
    cfg = _config(config)
    periods = (earlier_periods(period, data_dir) if earlier else []) + [str(period)]
    data = [_period_data(p, data_dir, cfg, unit) for p in periods]
    return {n: pd.concat([_one_period(n, d) for d in data], ignore_index=True) for n in (names or REGISTRY)}


def _excel(results: dict[str, pd.DataFrame], path: Path, ordlista: pd.DataFrame) -> None:
    from openpyxl.utils import get_column_letter

    from ..formatting import SUPPRESSED
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
        labels = ordlista.rename(columns={"name": "Namn", "label": "Benämning", "description": "Definition",
                                          "numerator": "Täljare", "denominator": "Nämnare", "unit": "Enhet",
                                          "unit_label": "Måttenhet", "tables": "Tabeller",
                                          "groupings": "Indelningar", "grouping_codes": "Indelningskoder"})
        labels.to_excel(xw, sheet_name="Ordlista", index=False)
        used: set[str] = {"Ordlista"}
        for name, df in results.items():
            sheet = name[:31]
            i = 2
            while sheet in used:
                sheet = f"{name[:28]}_{i}"
                i += 1
            used.add(sheet)
            out = df.copy()
            out["grouping"] = out["grouping"].map(lambda g: GROUPING_LABELS.get(g, g))
            out["category"] = out["category"].map(lambda c: CATEGORY_LABELS.get(c, c))
            out["suppressed"] = np.where(out["suppressed"], "ja", "nej")
            out = out.astype({c: object for c in disclosure.NUMERIC})
            for c in disclosure.NUMERIC:
                out.loc[df["suppressed"].to_numpy(), c] = SUPPRESSED
                out[c] = out[c].where(pd.notna(out[c]), None)
            out.rename(columns=EXCEL_HEADERS).to_excel(xw, sheet_name=sheet, index=False)
            ws = xw.sheets[sheet]
            share = REGISTRY[name].kind == "share"
            for j, col in enumerate(out.columns, start=1):
                ws.column_dimensions[get_column_letter(j)].width = 14 if j > 5 else 22
                fmt = "0%" if share and col in ("value", "ci_low", "ci_high") else \
                    ("0.0" if col in ("value", "ci_low", "ci_high") else "0")
                if col in disclosure.NUMERIC:
                    for cell in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                        cell[0].number_format = fmt
            ws.freeze_panes = "A2"
    tmp.replace(path)


def write_indicators(results: dict[str, pd.DataFrame], out_dir, config=None) -> dict:
    """Write the published files under `out_dir` (the step's output folder; files go to
    `<out_dir>/indicators/` unless out_dir already is that folder). Returns the suppression summary."""
    cfg = _config(config)
    out = Path(out_dir)
    folder = out if out.name == "indicators" else out / "indicators"
    folder.mkdir(parents=True, exist_ok=True)
    published: dict[str, pd.DataFrame] = {}
    summary = {"tröskel": cfg.min_cell, "min_grupp": cfg.min_group, "indikatorer": {}}
    for name, df in results.items():
        pub = disclosure.publishable(df)
        disclosure.assert_publishable(pub, cfg.min_cell, counts=REGISTRY[name].kind == "count")
        write_atomic(pub, folder / f"{name}.parquet")
        published[name] = pub
        summary["indikatorer"][name] = disclosure.summary(df)
    summary["undertryckta_totalt"] = sum(s["undertryckta"] for s in summary["indikatorer"].values())
    ordlista = dictionary()
    write_atomic(ordlista, folder / "ordlista.parquet")
    ordlista.to_csv(folder / "ordlista.csv", index=False, encoding="utf-8")
    (folder / "undertryckning.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2),
                                                encoding="utf-8")
    _excel(published, folder / "indikatorer.xlsx", ordlista)
    return summary


def overview(results: dict[str, pd.DataFrame], period: str | None = None) -> pd.DataFrame:
    """Swedish overview: one row per indicator with the total row's published value for the period."""
    rows = []
    for name, df in results.items():
        ind = REGISTRY[name]
        p = period or (df["period"].max() if len(df) else "")
        cur = df[df["period"] == p]
        total = cur[(cur["grouping"] == "total") & (cur["category"] == cur["category"].iloc[0])] \
            if len(cur) else cur
        hidden = bool(total["suppressed"].iloc[0]) if len(total) else False
        value = np.nan if (hidden or total.empty) else total["value"].iloc[0]
        rows.append({"Indikator": name, "Benämning": ind.label, "Mått": UNIT_LABELS[ind.unit],
                     "Kategori": CATEGORY_LABELS.get(total["category"].iloc[0], total["category"].iloc[0])
                     if len(total) else "",
                     "Värde (totalt)": value,
                     "n (totalt)": np.nan if (hidden or total.empty) else total["n"].iloc[0],
                     "Celler": int(len(cur)), "Undertryckta celler": int(cur["suppressed"].sum())})
    return pd.DataFrame(rows)
