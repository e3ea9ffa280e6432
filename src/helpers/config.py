"""The municipality's configuration and the paths of one period's run."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import resources

PROJECT_ROOT = resources.work_root()  # relative data/ and reports/ paths start here
DEFAULT_CONFIG = resources.DEFAULT_CONFIG


class ConfigError(ValueError):
    """A configuration that cannot be used; the message is Swedish and names the file."""


@dataclass(frozen=True)
class Config:
    path: Path
    data: dict[str, Any]
    notes: tuple[str, ...] = field(default=(), compare=False)

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    @property
    def dir(self) -> Path:
        return self.path.parent

    @property
    def municipality(self) -> str:
        return str(self.data["kommun"])

    @property
    def is_demo(self) -> bool:
        return bool(self.data.get("demo", False))

    @property
    def min_cell(self) -> int:
        return int(self.data.get("rojandekontroll", {}).get("min_cell", 5))

    @property
    def min_group(self) -> int:
        return int(self.data.get("rojandekontroll", {}).get("min_group", 10))

    @property
    def units(self) -> dict[str, str]:
        """Unit code -> Swedish name, in the config's order."""
        return {str(u["kod"]): str(u["namn"]) for u in self.data.get("enheter", [])}

    def unit_areas(self, code: str) -> tuple[str, ...]:
        """The verksamhetsområden a unit works with (`omraden:`); empty = not declared (everything applies)."""
        for u in self.data.get("enheter", []):
            if str(u.get("kod")) == code:
                return tuple(str(a) for a in (u.get("omraden") or ()))
        return ()

    def units_for_area(self, area: str | None) -> list[str] | None:
        """The units that work with `area`; None when no unit declares its areas (or no area is given)."""
        if area is None or not any(self.unit_areas(u) for u in self.units):
            return None
        return [u for u in self.units if area in self.unit_areas(u) or not self.unit_areas(u)]

    def applies(self, unit: str | None, areas: tuple[str, ...] | None) -> bool:
        """Whether an indicator concerning `areas` (None: all) applies to a unit (None: the whole organisation)."""
        if unit is None or areas is None or not self.unit_areas(unit):
            return True
        return bool(set(self.unit_areas(unit)) & set(areas))

    def unit_name(self, code: str | None) -> str:
        if code is None:
            return "Hela verksamheten"
        return self.units.get(code, code)

    def period_info(self, period: str) -> dict[str, Any]:
        return dict(self.data.get("perioder", {}).get(str(period), {}))

    def resolve(self, relative: str | Path) -> Path:
        """A path from the config, relative to the config file's folder (``~`` expanded)."""
        p = Path(str(relative)).expanduser()
        return p if p.is_absolute() else (self.dir / p)

    def texts_dir(self, period: str) -> Path:
        return self.resolve(self.data.get("texter", "texter")) / str(period)


_shown_notes: set[tuple[str, str]] = set()


def show_notes(path: Path, notes) -> None:
    """Print each note about a config file once per process (stderr: never mixed into JSON on stdout)."""
    from .console import say

    for note in notes:
        if (str(path), note) not in _shown_notes:
            _shown_notes.add((str(path), note))
            say(f"Obs: {note}", file=sys.stderr)


def mapping_candidates(name: str | Path, config: "Config | None" = None) -> list[Path]:
    """Where a source's mapping file may be, in the order looked at: as given, else under the config's mappings
    folder, else under config/mappings/ (helpers.collect.mapping reads it)."""
    p = Path(name).expanduser()
    candidates = [p]
    if not p.is_absolute():
        if config is not None:
            candidates.append(config.dir / "mappings" / p)
        candidates.append(resources.CONFIG_DIR / "mappings" / p)
    return candidates


# The modules whose code decides whether a configuration passes (checked_files: a pass is remembered).
CHECKED_BY = ("config.py", "config_schema.py", "schema_messages.py", "schema.py", "yamldoc.py")


def load_config(path: str | Path | None = None) -> Config:
    """Read and check a municipality's configuration; a ConfigError lists every problem with its line."""
    from . import checked_files
    from .yamldoc import YamlFileError, read_yaml

    p = Path(path) if path else DEFAULT_CONFIG
    if not p.is_absolute() and not p.exists():
        p = PROJECT_ROOT / p
    if not p.exists():
        raise ConfigError(f"Konfigurationsfilen {p} finns inte.")
    what = f"Konfigurationsfilen {p}"
    try:
        raw = p.read_bytes()
    except OSError:
        raw = None  # read_yaml says why
    verdict = checked_files.key(raw, CHECKED_BY) if raw is not None else None
    if verdict is not None and checked_files.passed(verdict):
        try:
            doc = read_yaml(p, what, raw)
        except YamlFileError as exc:
            raise ConfigError(str(exc)) from None
        data, notes = doc.data, doc.notes
    else:
        from .config_schema import MunicipalityConfig, cross_checks
        from .schema_messages import check_file

        data, notes = check_file(p, MunicipalityConfig, what, ConfigError, cross_checks, raw=raw)
        if verdict is not None:
            checked_files.remember(verdict)
    show_notes(p, notes)
    return Config(p.resolve(), data, tuple(notes))


@dataclass(frozen=True)
class Paths:
    """Where one period's files live. Processed data stays under data/; outputs under the period's report folder
    (``root``): the publication and each scope's analysis there, a unit's report under ``root/enheter/<unit>``."""
    data_dir: Path
    output_dir: Path
    period: str
    unit: str | None = None

    @property
    def root(self) -> Path:
        """The period's report folder (the whole organisation's report, the publication, the analysis)."""
        if self.unit and self.output_dir.parent.name == "enheter" and self.output_dir.name == self.unit:
            return self.output_dir.parents[1]
        return self.output_dir

    @property
    def raw(self) -> Path:
        return self.data_dir / "raw" / self.period

    @property
    def processed(self) -> Path:
        return self.data_dir / "processed" / self.period

    @property
    def quarantine(self) -> Path:
        return self.processed / "karantan"

    @property
    def sample(self) -> Path:
        return self.processed / "urval"

    @property
    def publication(self) -> Path:
        return self.root / "publikation"

    @property
    def figures(self) -> Path:
        return self.output_dir / "figurer"

    def analysis_for(self, scope: str | None) -> Path:
        """One scope's analysis (goals, comparisons, trend, key findings): ``root/analys/<scope>``."""
        return self.root / "analys" / (scope or "hela")

    @property
    def analysis(self) -> Path:
        return self.analysis_for(self.unit)

    def processed_for(self, period: str) -> Path:
        return self.data_dir / "processed" / str(period)


def period_paths(period: str, data_dir: str | Path = "data", output_dir: str | Path | None = None,
                 unit: str | None = None) -> Paths:
    """Paths for a period; relative paths are taken from the project root. `output_dir` is the period's report
    folder (a unit's report goes to its `enheter/<unit>` subfolder) or, as the runner passes it, the unit's own."""
    d = Path(data_dir)
    d = d if d.is_absolute() else PROJECT_ROOT / d
    out = PROJECT_ROOT / "reports" / str(period) if output_dir is None else Path(output_dir)
    out = out if out.is_absolute() else PROJECT_ROOT / out
    if unit and not (out.parent.name == "enheter" and out.name == unit):
        out = out / "enheter" / unit
    return Paths(d, out, str(period), unit)
