"""Comparison with other municipalities and the country: Kolada key figures (KKiK, Öppna jämförelser) beside the
workbench's own values.

The municipality config's section (codes are always quoted strings)::

    jamforelse:
      kolada:
        fil: kolada/exempelkommun_syntetisk.json   # snapshot, relative to the config's folder (.json or .csv)
        syntetisk: true                            # the report says the values are not real
        kommun_id: "9999"                          # default: kommunkod
        riket_id: "0000"                           # default: "0000", Kolada's id for Riket
        hamtad: "2026-01-15"                       # optional; default: the snapshot's metadata, else file date
        katalog: kolada/nyckeltal.yml              # optional; default: the project's config/kolada/nyckeltal.yml
        jamforelsegrupp:
          namn: Liknande kommuner
          kommuner: ["9901", "9902"]
          matt: medelvärde                         # or median; of the members that have a value
        nyckeltal:                                 # Kolada KPI -> workbench indicator (optional)
          - kpi: "U31402"
            indikator: vantetid_ekonomiskt_bistand_medel

Use from the report::

    from helpers.comparison import build_comparison
    c = build_comparison(config, "2025", own_values={"vantetid_ekonomiskt_bistand_medel": 14.2})
    c.display      # Swedish table; c.frame has the numbers; c.sources the lines under the table

Modules: ``section`` (the config model), ``catalogue`` (KPI ids and units), ``kolada`` / ``csvfile`` (reading
a snapshot), ``table`` (the comparison), ``fetch`` and ``command`` (`uppfoljning kolada hamta|visa`).
"""
from .catalogue import KpiInfo, load_catalogue
from .frame import KoladaFileError, KoladaSnapshot
from .kolada import read_snapshot
from .section import KoladaSettings, kolada_settings, validate_section
from .table import (Comparison, build_comparison, compared_indicators, comparison_frame, display_frame,
                    source_lines)

__all__ = ["Comparison", "KoladaFileError", "KoladaSettings", "KoladaSnapshot", "KpiInfo", "build_comparison",
           "compared_indicators", "comparison_frame", "display_frame", "kolada_settings", "load_catalogue",
           "read_snapshot", "source_lines", "validate_section"]
