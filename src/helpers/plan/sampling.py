"""Step 1: the population, sampling methods, sample size, representativeness and the `sample` command.

The population is one row per client and case opened (aktualiserad) in the period, with the client's age,
age group, sex and birth day. It holds pseudonyms only, never a personnummer.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import grouping
from ..atomic import write_text_atomic
from ..formatting import display_table, percent
from ..tables import sorted_rows, write_atomic, write_excel_csv
from .methods import METHODS, Method, margin_text  # noqa: F401 (re-exported)

MISSING_LABEL = grouping.MISSING_GROUP
POPULATION_COLUMNS = ["client_id", "case_id", "unit", "target_group", "opened", "birth_year", "birth_day", "sex",
                      "age", "age_group"]
VARIABLE_LABELS = {v: grouping.GROUPING_LABELS[v] for v in ("age_group", "sex", "unit", "target_group")}
REPRESENTATIVENESS_VARIABLES = ("age_group", "sex", "unit", "target_group")
Z_95 = 1.96


class SamplingError(ValueError):
    """A sampling method or parameter that cannot be used (Swedish message)."""


@dataclass
class SampleResult:
    sample: pd.DataFrame
    method: str
    params: dict[str, Any]
    seed: int
    strata: list[str]
    warnings: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return METHODS[self.method].label


# ---------------------------------------------------------------- population

def build_population(clients: pd.DataFrame, cases: pd.DataFrame, period: str, units=None,
                     target_groups=None) -> pd.DataFrame:
    """One row per client and case opened in the period (calendar year), with the client's background.

    Age is the age reached during the period (period − birth year). ``units``/``target_groups`` restrict it.
    """
    year = int(period)
    c = cases.copy()
    c["opened"] = pd.to_datetime(c["opened"], errors="coerce")
    c = c[c["opened"].dt.year == year]
    if units:
        c = c[c["unit"].isin(list(units))]
    if target_groups:
        c = c[c["target_group"].isin(list(target_groups))]
    cl = clients[["client_id", "birth_year", "birth_day", "sex"]].drop_duplicates("client_id")
    pop = c[["client_id", "case_id", "unit", "target_group", "opened"]].merge(cl, on="client_id", how="left")
    pop["age"] = grouping.age_at_period_end(pop["birth_year"], year).round().astype("Int64")
    pop["age_group"] = grouping.age_group(pop["age"])
    pop["sex"] = pop["sex"].astype("string").fillna("okänt")
    pop["target_group"] = grouping.as_group(pop["target_group"])
    pop = sorted_rows(pop, ["opened", "case_id", "client_id"])
    return pop[POPULATION_COLUMNS]


def stratum_labels(df: pd.DataFrame, strata: list[str]) -> pd.Series:
    """'barn_unga / Ungdom' style labels for the stratum columns (missing -> 'uppgift saknas')."""
    if not strata:
        return pd.Series("Alla", index=df.index, dtype="string")
    parts = [df[s].astype("string").fillna(MISSING_LABEL) for s in strata]
    label = parts[0]
    for p in parts[1:]:
        label = label + " / " + p
    return label.astype("string")


# ---------------------------------------------------------------- methods

def _int_list(value, name: str, low: int, high: int) -> list[int]:
    values = value if isinstance(value, (list, tuple)) else [value]
    try:
        out = [int(v) for v in values]
    except (TypeError, ValueError):
        raise SamplingError(f"Parametern '{name}' ska vara heltal mellan {low} och {high}, inte {value!r}.") from None
    if not out or any(v < low or v > high for v in out):
        raise SamplingError(f"Parametern '{name}' ska vara heltal mellan {low} och {high}, inte {value!r}.")
    return out


def _positive_n(params: dict, size: int) -> int:
    if "n" not in params:
        raise SamplingError("Ange urvalets storlek med parametern 'n'.")
    n = _int_list(params["n"], "n", 1, 10**9)[0]
    return min(n, size)


def allocate(sizes: pd.Series, n: int, minimum: int = 0) -> pd.Series:
    """Proportional allocation of n over strata by largest remainder, then raised to ``minimum`` per stratum.

    Sizes are capped at the stratum's size; ties in the remainders go to the stratum listed first.
    """
    total = int(sizes.sum())
    if total == 0:
        return sizes * 0
    n = min(n, total)
    quota = sizes * n / total
    alloc = np.floor(quota).astype(int)
    left = n - int(alloc.sum())
    remainder = (quota - alloc).to_numpy()
    order = sorted(range(len(sizes)), key=lambda i: (-remainder[i], i))
    for i in order[:left]:
        alloc.iloc[i] += 1
    alloc = np.maximum(alloc, np.minimum(minimum, sizes))
    return np.minimum(alloc, sizes).astype(int)


def _iso_week(dates: pd.Series) -> pd.Series:
    return dates.dt.isocalendar().week.astype("Int64")


def draw_sample(population: pd.DataFrame, method: str, params: dict | None = None, seed: int = 1,
                strata: list[str] | None = None) -> SampleResult:
    """Select rows of the population with a method from ``METHODS``; same seed, same sample.

    ``strata`` (default: the unit) labels each row's stratum for the sample-size table; for the stratified
    method the parameter ``stratifiera_pa`` (list of columns) decides it instead.
    """
    if method not in METHODS:
        raise SamplingError(f"Okänd urvalsmetod '{method}'. Kända metoder: {', '.join(METHODS)}.")
    params = dict(params or {})
    seed = int(seed)
    order = [c for c in ("opened", "case_id", "client_id") if c in population]
    pop = sorted_rows(population, order)  # row order never matters
    warnings: list[str] = []
    strata = list(strata) if strata is not None else ["unit"]
    rng = np.random.default_rng(seed)

    if method == "alla":
        mask = pd.Series(True, index=pop.index)
    elif method == "fodelsedagar":
        days = _int_list(params.get("dagar", [5, 15, 25]), "dagar", 1, 31)
        params["dagar"] = days
        missing = int(pop["birth_day"].isna().sum())
        if missing:
            warnings.append(f"{missing} aktualiseringar saknar födelsedag (t.ex. reservnummer) och kan inte väljas.")
        mask = pop["birth_day"].isin(days).fillna(False).astype(bool)
    elif method == "veckor":
        parity = str(params.get("veckor", "jamna")).lower()
        if parity not in ("jamna", "udda"):
            raise SamplingError(f"Parametern 'veckor' ska vara 'jamna' eller 'udda', inte '{parity}'.")
        params["veckor"] = parity
        weeks = _iso_week(pop["opened"])
        mask = ((weeks % 2) == (0 if parity == "jamna" else 1)).fillna(False).astype(bool)
    elif method == "tidsperiod":
        if "kvartal" in params:
            q = _int_list(params["kvartal"], "kvartal", 1, 4)[0]
            months = list(range(3 * q - 2, 3 * q + 1))
        elif "manader" in params:
            span = _int_list(params["manader"], "manader", 1, 12)
            if len(span) != 2 or span[0] > span[1]:
                raise SamplingError("Parametern 'manader' ska vara [från, till], t.ex. [3, 5] för mars–maj.")
            months = list(range(span[0], span[1] + 1))
        else:
            raise SamplingError("Ange 'kvartal' (1–4) eller 'manader' ([från, till]) för urval på tidsperiod.")
        mask = pop["opened"].dt.month.isin(months).fillna(False).astype(bool)
        warnings.append("Urval på en tidsperiod: det kan finnas säsongsvariationer i vilka som aktualiseras och "
                        "vilka insatser som finns. Jämför urvalet med hela året nedan.")
    elif method == "slumpmassigt":
        n = _positive_n(params, len(pop))
        if n == len(pop):
            warnings.append("n är minst lika stort som populationen: alla väljs.")
        mask = pd.Series(False, index=pop.index)
        mask.iloc[np.sort(rng.choice(len(pop), size=n, replace=False))] = True
    else:  # stratifierat
        strata = [str(s) for s in params.get("stratifiera_pa", ["unit"])]
        unknown = [s for s in strata if s not in ("unit", "target_group", "sex", "age_group")]
        if unknown or not strata:
            raise SamplingError(f"Okänd stratifieringsvariabel {unknown}: välj bland unit och target_group "
                                "(eller sex, age_group).")
        n = _positive_n(params, len(pop))
        minimum = _int_list(params.get("minst_per_stratum", 0), "minst_per_stratum", 0, 10**9)[0]
        fordelning = str(params.get("fordelning", "proportionell"))
        if fordelning != "proportionell":
            raise SamplingError(f"Okänd fördelning '{fordelning}': bara 'proportionell' (med minst_per_stratum).")
        labels = stratum_labels(pop, strata)
        sizes = labels.value_counts().sort_index()
        alloc = allocate(sizes, n, minimum)
        if int(alloc.sum()) > n:
            warnings.append(f"Minsta antal per stratum ({minimum}) ger {int(alloc.sum())} i urvalet, fler än n = {n}.")
        small = [s for s in sizes.index if sizes[s] < minimum]
        if small:
            warnings.append("Färre än minsta antal finns i: " + ", ".join(small) + " (alla där väljs).")
        mask = pd.Series(False, index=pop.index)
        for stratum, k in alloc.items():
            idx = np.flatnonzero((labels == stratum).to_numpy())
            mask.iloc[np.sort(rng.choice(idx, size=int(k), replace=False))] = True

    sample = pop[mask.to_numpy()].copy()
    sample["stratum"] = stratum_labels(sample, strata)
    return SampleResult(sample.reset_index(drop=True), method, params, seed, strata, warnings)


# ---------------------------------------------------------------- sample size

def sample_size(population_size: int, margin: float = 0.05, share: float = 0.5, z: float = Z_95) -> int:
    """n needed to estimate a share within ±margin (95 %), with finite population correction, rounded up.

    n0 = z²·p(1−p)/e², n = n0 / (1 + (n0 − 1)/N).
    """
    N = int(population_size)
    if N <= 0:
        return 0
    n0 = z * z * share * (1 - share) / (margin * margin)
    n = n0 / (1 + (n0 - 1) / N)
    return min(N, math.ceil(round(n, 9)))


def sample_size_table(population: pd.DataFrame, result: SampleResult, margin: float = 0.05,
                      share: float = 0.5, unit_names: dict[str, str] | None = None) -> pd.DataFrame:
    """Per stratum: population size, n needed for the margin of error, n the method gives, enough or not."""
    def named(df: pd.DataFrame) -> pd.Series:
        if unit_names and "unit" in result.strata:
            df = df.assign(unit=df["unit"].map(lambda u: unit_names.get(u, u)))
        return stratum_labels(df, result.strata)

    sizes = named(population).value_counts().sort_index()
    got = named(result.sample).value_counts()
    rows = []
    for stratum, N in sizes.items():
        need, have = sample_size(N, margin, share), int(got.get(stratum, 0))
        rows.append({"Stratum": stratum, "Population": int(N), "Behövs": need, "Urval": have,
                     "Räcker": "ja" if have >= need else "nej"})
    N, have = len(population), len(result.sample)
    need = sample_size(N, margin, share)
    rows.append({"Stratum": "Totalt", "Population": N, "Behövs": need, "Urval": have,
                 "Räcker": "ja" if have >= need else "nej"})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- representativeness

def _distribution(values: pd.Series) -> pd.Series:
    return values.astype("string").fillna(MISSING_LABEL).value_counts()


def standardised_difference(p_sample: float, p_population: float) -> float:
    """(p_s − p_p) / sqrt((p_s(1−p_s) + p_p(1−p_p)) / 2); 0 when both shares are 0 or 1."""
    var = (p_sample * (1 - p_sample) + p_population * (1 - p_population)) / 2
    return 0.0 if var == 0 else (p_sample - p_population) / math.sqrt(var)


def representativeness(population: pd.DataFrame, sample: pd.DataFrame,
                       variables=REPRESENTATIVENESS_VARIABLES, config=None) -> pd.DataFrame:
    """Both distributions per variable and category (Swedish labels, the config's for units and target groups),
    with the standardised difference of the shares."""
    from ..labels import group_label

    rows = []
    for var in variables:
        pop_n, smp_n = _distribution(population[var]), _distribution(sample[var])
        cats = sorted(set(pop_n.index) | set(smp_n.index))
        for cat in cats:
            pn, sn = int(pop_n.get(cat, 0)), int(smp_n.get(cat, 0))
            pp = pn / len(population) if len(population) else float("nan")
            sp = sn / len(sample) if len(sample) else float("nan")
            d = standardised_difference(sp, pp) if len(sample) and len(population) else float("nan")
            name = group_label(var, cat, config)
            rows.append({"Variabel": VARIABLE_LABELS.get(var, var), "Kategori": name, "Population (antal)": pn,
                         "Population (andel)": pp, "Urval (antal)": sn, "Urval (andel)": sp,
                         "Standardiserad skillnad": d})
    return pd.DataFrame(rows)


def _verdict(var_label: str, part: pd.DataFrame, p_value: float, small: bool, whole: bool,
             shares: bool = True) -> str:
    """The plain-Swedish verdict; shares=False leaves out the category's shares (the report's version: a share
    of a small sample can give away a small count, and the report prints only audited cells)."""
    name = var_label.lower()
    if part["Urval (antal)"].sum() == 0:
        return "Urvalet är tomt."
    if whole:
        return f"Urvalet omfattar hela populationen: fördelningen efter {name} är densamma."
    worst = part.loc[part["Standardiserad skillnad"].abs().idxmax()]
    d = abs(float(worst["Standardiserad skillnad"]))
    where = (f"{worst['Kategori']} ({percent(worst['Urval (andel)'])} i urvalet mot "
             f"{percent(worst['Population (andel)'])} i populationen)") if shares else str(worst["Kategori"])
    caution = " Testet är osäkert eftersom några grupper är små." if small else ""
    significant = not math.isnan(p_value) and p_value < 0.05
    if not significant and d < 0.1:
        text = f"Urvalet liknar populationen i fråga om {name}: inga skillnader av betydelse."
    elif significant:
        over = "överrepresenterade" if worst["Standardiserad skillnad"] > 0 else "underrepresenterade"
        text = f"Urvalet skiljer sig från populationen i fråga om {name}: {over} är {where}."
    elif d >= 0.2:
        text = (f"Märkbara skillnader i fråga om {name}, men de kan bero på slumpen (chitvåtestet visar ingen "
                f"säker skillnad): störst för {where}. Tolka med försiktighet.")
    else:
        text = f"Små skillnader i fråga om {name}: störst för {where}. Tolka med viss försiktighet."
    return text + caution


REPORT_VERDICT = "Bedömning i rapporten"
TEST_COLUMNS = ["Variabel", "Chi2", "Frihetsgrader", "p-värde", "Största standardiserade skillnad", "Bedömning",
                REPORT_VERDICT]


def chisquare(observed: np.ndarray, expected: np.ndarray) -> tuple[float, float]:
    """Pearson's chi-square goodness of fit and its p-value with k - 1 degrees of freedom: what
    ``scipy.stats.chisquare`` computes, without importing scipy (~1 s in every kernel that runs step 1)."""
    statistic = float(np.sum((observed - expected) ** 2 / expected))
    return statistic, chi2_sf(statistic, len(observed) - 1)


def chi2_sf(x: float, df: int) -> float:
    """P(X >= x) for X chi-square distributed with ``df`` >= 1 degrees of freedom (scipy's ``chdtrc``). The upper
    regularised incomplete gamma function Q(df/2, x/2) has closed forms for whole and half-whole shapes, here summed
    in logarithms (no term underflows where the sum does not):
    even df = 2n: Q = sum over j < n of e^-y y^j / j!;  odd df = 2n + 1: Q = erfc(sqrt y) + sum over j < n of
    e^-y y^(j + 1/2) / Gamma(j + 3/2), with y = x/2."""
    if math.isnan(x) or x < 0 or df < 1:
        return math.nan
    if math.isinf(x):
        return 0.0
    y = x / 2
    if y == 0:
        return 1.0
    j = np.arange(df // 2, dtype=float)
    if df % 2:
        logs, first = (j + 0.5) * math.log(y) - np.array([math.lgamma(k + 1.5) for k in j]) - y, math.erfc(math.sqrt(y))
    else:
        logs, first = j * math.log(y) - np.array([math.lgamma(k + 1) for k in j]) - y, 0.0
    if not len(logs):
        return min(1.0, first)
    top = float(logs.max())
    return min(1.0, first + math.exp(top) * float(np.exp(logs - top).sum()))


def representativeness_tests(table: pd.DataFrame) -> pd.DataFrame:
    """Chi-square goodness of fit of the sample against the population's shares, and a verdict per variable."""
    if table.empty:
        return pd.DataFrame(columns=TEST_COLUMNS)
    rows = []
    for var_label, part in table.groupby("Variabel", sort=False):
        n = int(part["Urval (antal)"].sum())
        expected = part["Population (andel)"].to_numpy(dtype=float) * n
        observed = part["Urval (antal)"].to_numpy(dtype=float)
        keep = expected > 0
        chi2 = p_value = float("nan")
        dof = int(keep.sum()) - 1
        if n and dof >= 1:
            chi2, p_value = chisquare(observed[keep], expected[keep])
        whole = bool((part["Urval (antal)"] == part["Population (antal)"]).all())
        small = bool(n and (expected[keep] < 5).any())
        rows.append({"Variabel": var_label, "Chi2": chi2, "Frihetsgrader": max(dof, 0), "p-värde": p_value,
                     "Största standardiserade skillnad": float(part["Standardiserad skillnad"].abs().max()),
                     "Bedömning": _verdict(var_label, part, p_value, small, whole),
                     REPORT_VERDICT: _verdict(var_label, part, p_value, small, whole, shares=False)})
    return pd.DataFrame(rows, columns=TEST_COLUMNS)


# ---------------------------------------------------------------- expected shortfall (bortfall)

def expected_shortfall(processed_dir: Path, period: str, units=None) -> dict[str, Any]:
    """Share of an earlier period's finished interventions with a before but no after measurement.

    Reads the processed ``measurements`` (and ``interventions``, to keep finished ones and restrict to units)
    of ``processed_dir``; says "uppgift saknas" when they are absent.
    """
    from ..tables import load_table

    out: dict[str, Any] = {"period": str(period), "med_fore": None, "utan_efter": None, "andel": None}
    m = load_table(processed_dir, "measurements", bookkeeping=False)
    if m.empty:
        out["text"] = f"Förväntat bortfall: uppgift saknas (inga mätningar för {period})."
        return out
    m = m.copy()
    m["key"] = m["intervention_id"].fillna(m["client_id"] + "/" + m["instrument"])
    iv = load_table(processed_dir, "interventions", bookkeeping=False)
    if not iv.empty:
        finished = iv[iv["end"].notna()]
        if units:
            finished = finished[finished["unit"].isin(list(units))]
        m = m[m["intervention_id"].isin(finished["intervention_id"])]
    before = set(m.loc[m["occasion"] == "fore", "key"])
    after = set(m.loc[m["occasion"].isin(["efter", "uppfoljning"]), "key"])
    if not before:
        out["text"] = f"Förväntat bortfall: uppgift saknas (inga före-mätningar för avslutade insatser {period})."
        return out
    missing = len(before - after)
    out.update(med_fore=len(before), utan_efter=missing, andel=missing / len(before))
    out["text"] = (f"Förväntat bortfall: {percent(missing / len(before))} av de avslutade insatserna {period} med "
                   f"en före-mätning saknade efter-mätning ({missing} av {len(before)}).")
    return out


# ---------------------------------------------------------------- for the notebook

def methods_table() -> pd.DataFrame:
    """The sampling methods with their key (for the plan file), name and description."""
    return pd.DataFrame([{"Metod i planen": m.key, "Namn": m.label, "Beskrivning": m.description,
                          "Slumpmässig dragning": "ja" if m.random else "nej"} for m in METHODS.values()])


def population_overview(population: pd.DataFrame, unit_names: dict[str, str] | None = None) -> pd.DataFrame:
    """Aktualiseringar and clients per unit, with a total row (group level only)."""
    names = population["unit"].map(lambda u: (unit_names or {}).get(u, u))
    g = population.assign(Enhet=names).groupby("Enhet", sort=True)
    out = pd.DataFrame({"Aktualiseringar": g.size(), "Klienter": g["client_id"].nunique()}).reset_index()
    total = {"Enhet": "Totalt", "Aktualiseringar": len(population),
             "Klienter": population["client_id"].nunique()}
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


def sample_overview(result: SampleResult) -> str:
    """One Swedish sentence on what the method gave, plus its warnings."""
    s = result.sample
    text = (f"Metod: {result.label} (slumpfrö {result.seed}). Urvalet: {len(s)} aktualiseringar, "
            f"{s['client_id'].nunique()} klienter.")
    notes = [f"**Obs!** {w}" for w in result.warnings]
    if s.empty:
        notes.append("**Obs!** Urvalet är tomt. Finns det aktualiseringar under perioden? Importera klienter och "
                     "ärenden (steg 2) eller kontrollera planens enheter och målgrupper.")
    return "\n\n".join([text] + notes)


def verdicts_markdown(tests: pd.DataFrame) -> str:
    """The plain-Swedish verdicts as a Markdown list (one per variable)."""
    if tests.empty:
        return "Ingen jämförelse: populationen är tom."
    return "\n".join(f"- **{v}:** {b}" for v, b in zip(tests["Variabel"], tests["Bedömning"]))


DECIMALS = {"Standardiserad skillnad": 2, "Största standardiserade skillnad": 2, "Chi2": 2, "p-värde": 3}
COUNTS = ("Aktualiseringar", "Klienter", "Population", "Behövs", "Urval", "Frihetsgrader", "Population (antal)",
          "Urval (antal)")


def formatted(df: pd.DataFrame):
    """A step-1 table as the notebook shows it, in the report's formats: shares as '70 %', counts as '1 234',
    differences and test values with a decimal comma, full texts and no index column."""
    return display_table(df, shares=[c for c in df.columns if "(andel)" in c],
                         counts=[c for c in df.columns if c in COUNTS],
                         decimals={c: d for c, d in DECIMALS.items() if c in df.columns})


def sample_folder(paths, unit: str | None = None) -> Path:
    """Where the sample list and templates go: urval/ for the whole organisation, urval/enheter/<unit> else."""
    return paths.sample if unit is None else paths.sample / "enheter" / unit


# ---------------------------------------------------------------- writing

SAMPLE_CSV_HEADERS = {"client_id": "Klient-id", "case_id": "Ärende-id", "unit": "Enhet", "target_group": "Målgrupp",
                      "opened": "Aktualiseringsdatum", "stratum": "Stratum"}


def write_sample_list(result: SampleResult, sample_dir: Path) -> list[Path]:
    """The sample list (pseudonyms, unit, stratum) as Parquet and CSV (UTF-8 with BOM, ';') under ``sample_dir``."""
    df = result.sample[list(SAMPLE_CSV_HEADERS)].copy()
    sample_dir = Path(sample_dir)
    parquet = write_atomic(df.reset_index(drop=True), sample_dir / "urval.parquet")
    shown = df.assign(opened=df["opened"].dt.strftime("%Y-%m-%d")).rename(columns=SAMPLE_CSV_HEADERS)
    return [parquet, write_excel_csv(shown, sample_dir / "urval.csv")]


def _json_safe(value):
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(float(value)) else float(value)
    return value


def write_planning(out_dir: Path, plan_info: dict, sizes: pd.DataFrame, repr_table: pd.DataFrame,
                   repr_tests: pd.DataFrame, result: SampleResult, population_size: int,
                   shortfall: dict) -> list[Path]:
    """Group-level step-1 outputs (no pseudonyms) under ``out_dir`` (data/processed/<period>/planering: internal)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [write_atomic(sizes, out_dir / "urvalsstorlek.parquet"),
             write_atomic(repr_table, out_dir / "representativitet.parquet"),
             write_atomic(repr_tests, out_dir / "representativitet_test.parquet")]
    summary = {"metod": result.method, "metod_namn": result.label, "parametrar": result.params,
               "seed": result.seed, "population": population_size, "urval": len(result.sample),
               "klienter_i_urvalet": int(result.sample["client_id"].nunique()), "varningar": result.warnings,
               "bortfall": shortfall, "bedomningar": dict(zip(repr_tests["Variabel"], repr_tests["Bedömning"])),
               "bedomningar_rapport": dict(zip(repr_tests["Variabel"], repr_tests[REPORT_VERDICT]))}
    for name, data in (("plan.json", plan_info), ("urval.json", summary)):
        paths.append(write_text_atomic(out_dir / name, json.dumps(_json_safe(data), ensure_ascii=False, indent=2)))
    return paths


# ---------------------------------------------------------------- population from the period's files

def load_population(paths, period: str, plan=None, unit: str | None = None) -> pd.DataFrame:
    """The population from the period's processed clients and cases, restricted by the plan and the unit."""
    from ..tables import load_table

    clients = load_table(paths.processed, "clients", bookkeeping=False)
    cases = load_table(paths.processed, "cases", bookkeeping=False)
    units = [unit] if unit else (plan.units if plan is not None else None)
    groups = plan.target_groups if plan is not None else None
    return build_population(clients, cases, period, units=units, target_groups=groups)


def import_population(period: str, config, data_dir) -> list:
    """Import the config's sources for clients and cases (step 2's import engine); [] if there is none yet."""
    try:
        from ..collect.importing import POPULATION, import_sources
    except ImportError:
        return []
    return import_sources(period, config, data_dir, tables=POPULATION)
