"""Coverage: goals in every intervention, follow-up every 6 months, the client's evaluation afterwards."""
from __future__ import annotations

import pandas as pd

from .cells import Spec, distribution, share, stat
from .context import PeriodData, member, per_period

IV_GROUPS = ["unit", "type", "provider_type", "target_group", "sex", "age_group"]
RATINGS = [str(r) for r in range(1, 11)]
# The ten-step rating distribution is published for each scope as a whole: per group, ten categories of a few
# ratings each would mostly be hidden and take other cells with them; the mean and median are given per group.
RATING_GROUPS: list[str] = []


@per_period
def active_interventions(d: PeriodData) -> pd.DataFrame:
    iv = d.interventions()
    return iv[d.active(iv["start"], iv["end"]).fillna(False)]


@per_period
def finished_interventions(d: PeriodData) -> pd.DataFrame:
    iv = d.interventions()
    return iv[d.within(iv["end"])]


def goals_in_interventions(d: PeriodData) -> Spec:
    """Active interventions with at least one goal set on or before the period's end."""
    iv = active_interventions(d)
    goals = d.table("goals")
    with_goal = goals.loc[(goals["set_on"] <= d.end).fillna(False), "intervention_id"]
    return share(iv.assign(flag=member(iv["intervention_id"], with_goal)), "flag", IV_GROUPS)


def followed_up_every_six_months(d: PeriodData) -> Spec:
    """Interventions that had run ≥ 6 months at their reference date (end, or the period's end) with a
    goal follow-up in the 6 months up to that date."""
    months = int(d.setting("uppfoljning_manader", 6))
    iv = active_interventions(d).copy()
    iv["ref"] = iv["end"].fillna(d.end).clip(upper=d.end)
    iv["window"] = iv["ref"] - pd.DateOffset(months=months)
    iv = iv[(iv["start"] <= iv["window"]).fillna(False)]
    fu = d.table("goal_followups")[["goal_id", "date"]].merge(
        d.table("goals")[["goal_id", "intervention_id"]], on="goal_id")
    fu = fu.merge(iv[["intervention_id", "ref", "window"]], on="intervention_id")
    hit = fu.loc[((fu["date"] > fu["window"]) & (fu["date"] <= fu["ref"])).fillna(False), "intervention_id"]
    return share(iv.assign(flag=member(iv["intervention_id"], hit)), "flag", IV_GROUPS)


def evaluated_after_finish(d: PeriodData) -> Spec:
    """Interventions finished in the period that have the client's own evaluation."""
    iv = finished_interventions(d)
    ev = d.table("evaluations")
    done = ev.loc[ev["rating"].notna() | ev["satisfied"].notna(), "intervention_id"]
    return share(iv.assign(flag=member(iv["intervention_id"], done)), "flag", IV_GROUPS + ["provider"])


@per_period
def _ratings(d: PeriodData) -> pd.DataFrame:
    iv = finished_interventions(d).drop(columns=["client_id"])
    ev = d.table("evaluations")[["intervention_id", "rating"]].dropna(subset=["rating"])
    ev = ev.drop_duplicates("intervention_id", keep="last").merge(iv, on="intervention_id")
    return ev.assign(rating_text=ev["rating"].astype(int).astype(str), rating=ev["rating"].astype(float))


def rating_distribution(d: PeriodData) -> Spec:
    return distribution(_ratings(d), "rating_text", RATINGS, RATING_GROUPS)


def rating_mean(d: PeriodData) -> Spec:
    return stat(_ratings(d), "rating", IV_GROUPS, "mean")


def rating_median(d: PeriodData) -> Spec:
    return stat(_ratings(d), "rating", IV_GROUPS, "median")


def support_evaluations(d: PeriodData) -> pd.DataFrame:
    """Finished interventions' latest evaluation with a satisfied/not satisfied answer, with the reason."""
    iv = finished_interventions(d).drop(columns=["client_id"])
    ev = d.table("evaluations")[["intervention_id", "satisfied", "dissatisfaction_reason"]]
    ev = ev.dropna(subset=["satisfied"]).drop_duplicates("intervention_id", keep="last")
    return ev.merge(iv, on="intervention_id")


def not_satisfied(ev: pd.DataFrame) -> pd.Series:
    """The answers other than 'tillfredsställande': the complement of the share, the base of the reasons."""
    return ~(ev["satisfied"] == "ja").fillna(False)


def satisfied_with_support(d: PeriodData) -> Spec:
    """Evaluations after ekonomiskt bistånd: share 'tillfredsställande'."""
    ev = support_evaluations(d)
    return share(ev.assign(flag=~not_satisfied(ev)), "flag", ["unit", "sex", "age_group"])
