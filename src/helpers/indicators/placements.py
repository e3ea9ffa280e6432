"""Placements: children placed at the period's start and end, visits to placed children, övervägande
and omprövning on time."""
from __future__ import annotations

import pandas as pd

from .cells import Spec, count, share
from .context import PeriodData, member

GROUPS = ["form", "legal_basis", "sex", "age_group"]
POINTS = {"periodens_start": "start", "periodens_slut": "end"}
POINT_LABELS = {"periodens_start": "Vid periodens början", "periodens_slut": "Vid periodens slut"}
SORT = ["client_id", "start", "placement_id"]


def children_and_young(d: PeriodData, pl: pd.DataFrame, on: pd.Series) -> pd.DataFrame:
    """Placements of children and young people: under LVU (any age), or under SoL of a person under 18 on the
    date `on`. Adults' placements (SoL, LVM) have no övervägande and no visits under 6 kap. SoL."""
    clients = d.table("clients").drop_duplicates("client_id")
    born = pl["client_id"].astype(object).map(pd.Series(clients["birth_year"].to_numpy(),
                                                        index=clients["client_id"].astype(object)))
    age = pd.Series(on, index=pl.index).dt.year - pd.to_numeric(born, errors="coerce")
    lvu = pl["legal_basis"].isin(["LVU2", "LVU3"]).fillna(False)
    sol_child = (pl["legal_basis"] == "SoL").fillna(False) & (age < 18).fillna(False)
    return pl[lvu | sol_child]


def _running_on(pl: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    return ((pl["start"] <= day) & (pl["end"].isna() | (pl["end"] >= day))).fillna(False)


def placed_on(pl: pd.DataFrame, day: pd.Timestamp, ordered: bool = False) -> pd.DataFrame:
    """Placements running on `day`, one per person: the most recently started (a person is counted once).
    `ordered`: `pl` is already sorted by SORT (a stable sort, so filtering after sorting gives the same rows).
    The persons placed on the period's first day are the same rows as those placed on the first of January
    (placerade_per_manad): one quantity in the publication's linked set."""
    rows = pl[_running_on(pl, day)]
    return (rows if ordered else rows.sort_values(SORT)).drop_duplicates("client_id", keep="last")


def placed_at_start_and_end(d: PeriodData) -> list[Spec]:
    """Persons placed on the period's first and last day (category), counted once each."""
    pl = d.with_clients(d.placements())
    specs = []
    for category, point in POINTS.items():
        day = d.start if point == "start" else d.end
        specs.append(count(placed_on(pl, day), GROUPS, unique="client_id", category=category))
    return specs


def visited_children(d: PeriodData) -> Spec:
    """Children placed during the whole period (LVU, or SoL under 18 at the period's end) with at least k visits
    in the period, of which at least one with an individual talk with the child."""
    k = int(d.setting("besok_per_ar", 4))
    pl = d.placements()
    whole = pl[_running_on(pl, d.start) & _running_on(pl, d.end)]
    whole = children_and_young(d, whole, pd.Series(d.end, index=whole.index))
    visits = d.table("placement_visits")
    visits = visits[d.within(visits["date"])].merge(whole[["placement_id", "client_id"]], on="placement_id")
    visits = visits.assign(talk=visits["individual_talk"].fillna(False).astype(bool))
    per_child = visits.groupby("client_id").agg(visits=("date", "size"), talks=("talk", "sum"))
    children = whole.sort_values(["client_id", "start"]).drop_duplicates("client_id")
    children = children.merge(per_child, left_on="client_id", right_index=True, how="left")
    flag = (children["visits"].fillna(0) >= k) & (children["talks"].fillna(0) >= 1)
    return share(d.with_clients(children.assign(flag=flag)), "flag", GROUPS)


def reviews_on_time(d: PeriodData) -> Spec:
    """Placements of children and young people (LVU, or SoL under 18 at the start) with a review deadline in the
    period (6 months after the start or the last review; omprövning under 3 § LVU, otherwise övervägande) where
    every deadline was met."""
    months = int(d.setting("overvagande_manader", 6))
    pl = d.placements()
    pl = pl[d.active(pl["start"], pl["end"]).fillna(False)]
    pl = children_and_young(d, pl, pl["start"]).copy()
    pl["review_type"] = (pl["legal_basis"] == "LVU3").fillna(False).map({True: "omprovning", False: "overvagande"})
    pl["stop"] = pl["end"].fillna(d.end).clip(upper=d.end)
    rv = d.table("placement_reviews").merge(pl[["placement_id", "review_type"]], on="placement_id")
    rv = rv[(rv["type"] == rv["review_type"]) & (rv["date"] <= d.end).fillna(False)]
    events = pd.concat([pl[["placement_id", "start"]].rename(columns={"start": "date"}),
                        rv[["placement_id", "date"]]], ignore_index=True)
    events = events.dropna().drop_duplicates().sort_values(["placement_id", "date"])
    events["next"] = events.groupby("placement_id")["date"].shift(-1)
    events["deadline"] = events["date"] + pd.DateOffset(months=months)
    events = events.merge(pl[["placement_id", "stop"]], on="placement_id")
    relevant = (events["deadline"] >= d.start) & (events["deadline"] <= events["stop"])
    missed = relevant & (events["next"].isna() | (events["next"] > events["deadline"]))
    due_ids = events.loc[relevant.fillna(False), "placement_id"].unique()
    missed_ids = events.loc[missed.fillna(False), "placement_id"].unique()
    due = pl[member(pl["placement_id"], due_ids)]
    due = d.with_clients(due.assign(flag=~member(due["placement_id"], missed_ids)))
    return share(due, "flag", GROUPS)
