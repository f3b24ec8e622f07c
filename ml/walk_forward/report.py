"""Run evaluators, print the per-season summary (every metric beside its baseline), plot per-race scores (and the
calibration of forecast probabilities) and log one MLflow run per evaluated model version (experiment
`undercut/walk_forward`)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure

from ml import registry, tracking
from ml.paths import MlPaths
from ml.walk_forward import Fold, WalkForwardScores
from ml.walk_forward.subjects import Subject
from transforms.warehouse import Warehouse

EXPERIMENT = "walk_forward"
SUMMARY_COLUMNS = ["subject", "season", "metric", "value", "baseline_name", "baseline", "delta", "n"]


@dataclass(frozen=True)
class Evaluated:
    subject: Subject
    scores: WalkForwardScores
    runtime_s: float


def run(warehouse: Warehouse, folds: Sequence[Fold], subjects: Sequence[Subject]) -> list[Evaluated]:
    evaluated = []
    for subject in subjects:
        started = time.monotonic()
        scores = subject.evaluate(warehouse, folds)
        evaluated.append(Evaluated(subject, scores, time.monotonic() - started))
    return evaluated


def summary(evaluated: Sequence[Evaluated]) -> pd.DataFrame:
    """Per subject, season and metric: value, baseline, delta (value - baseline) and n."""
    tables = [e.scores.per_season.assign(subject=e.scores.subject) for e in evaluated]
    table = pd.concat(tables, ignore_index=True)
    return table.assign(delta=table["value"] - table["baseline"])[SUMMARY_COLUMNS]


def render(table: pd.DataFrame) -> str:
    shown = table.assign(**{c: table[c].map("{:.3f}".format) for c in ("value", "baseline", "delta")})
    return shown.to_string(index=False)


def leaked(scores: WalkForwardScores, folds: Sequence[Fold]) -> pd.DataFrame:
    """Per-race rows whose fit saw data from the race's start or later (or cannot say when): must be empty."""
    starts = pd.Series({fold.race_id: fold.race_start_at for fold in folds}, name="race_start_at")
    rows = scores.per_race.join(starts, on="race_id")
    return rows[~(pd.to_datetime(rows["trained_until"]) < rows["race_start_at"])]


def figure(scores: WalkForwardScores) -> Figure:
    """One panel per metric: the per-race value and its baseline, races in start order."""
    metrics = list(dict.fromkeys(scores.per_race["metric"]))
    fig = Figure(figsize=(10, 2.6 * len(metrics)))
    for ax, metric in zip(fig.subplots(len(metrics), 1, squeeze=False)[:, 0], metrics, strict=True):
        rows = scores.per_race[scores.per_race["metric"] == metric].sort_values(["season", "round"])
        labels = [f"{s}-{r:02d}" for s, r in zip(rows["season"], rows["round"], strict=True)]
        ax.plot(labels, rows["value"], marker="o", markersize=3, label=scores.subject)
        ax.plot(labels, rows["baseline"], marker="x", markersize=3, linestyle="--",
                label=str(rows["baseline_name"].iloc[0]))
        ax.set_title(metric, fontsize=9)
        ax.tick_params(axis="x", labelrotation=90, labelsize=6)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


# Reliability bins of a forecast probability: fine at the low end, where most drivers' win chances sit.
CALIBRATION_BINS = [0.0, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 1.0]


def calibration_table(probabilities: pd.DataFrame) -> pd.DataFrame:
    """Per event and probability bin: the number of forecasts, their mean probability and how often the event
    happened (a calibrated forecast has the two equal)."""
    binned = probabilities.assign(bin=pd.cut(probabilities["probability"], CALIBRATION_BINS, include_lowest=True))
    table = binned.groupby(["event", "bin"], observed=True).agg(
        forecasts=("probability", "size"), mean_probability=("probability", "mean"),
        observed_share=("happened", "mean")).reset_index()
    return table.assign(bin=table["bin"].astype(str))


def calibration_figure(table: pd.DataFrame, subject: str) -> Figure:
    """Reliability diagram of a :func:`calibration_table`, one panel per event: observed share against mean forecast
    per bin (dot area ~ number of forecasts), the diagonal being perfect calibration."""
    events = list(dict.fromkeys(table["event"]))
    fig = Figure(figsize=(4 * len(events), 4))
    for ax, event in zip(fig.subplots(1, len(events), squeeze=False)[0], events, strict=True):
        rows = table[table["event"] == event]
        ax.plot([0, 1], [0, 1], color="grey", linewidth=0.8, linestyle="--")
        ax.plot(rows["mean_probability"], rows["observed_share"], color="tab:blue", linewidth=1)
        ax.scatter(rows["mean_probability"], rows["observed_share"], s=10 + 200 * rows["forecasts"] /
                   rows["forecasts"].max(), color="tab:blue", alpha=0.7)
        for row in rows.itertuples():
            ax.annotate(str(row.forecasts), (row.mean_probability, row.observed_share), fontsize=6,
                        xytext=(3, -8), textcoords="offset points")
        ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="forecast probability", ylabel="observed share",
               title=f"{subject}: {event}")
        ax.title.set_fontsize(9)
    fig.tight_layout()
    return fig


def model_version(paths: MlPaths, subject: Subject) -> str:
    """The champions whose definition the evaluator refits (e.g. `finish_position=v3,qualifying=v2`), or `none`."""
    import mlflow

    client = tracking.configure(paths)
    versions = []
    for name in subject.model_names:
        try:
            versions.append(f"{name}=v{client.get_model_version_by_alias(name, registry.CHAMPION).version}")
        except mlflow.exceptions.MlflowException:  # not registered (yet) in this home
            versions.append(f"{name}=none")
    return ",".join(versions) or "none"


def log_to_mlflow(paths: MlPaths, evaluated: Evaluated, seasons: Sequence[int]) -> str:
    """One run: params (subject, seasons, model version), metrics per season (and the baselines), the per-race and
    per-season tables and the plot as artefacts. Returns the run id."""
    import mlflow

    client = tracking.configure(paths)
    scores = evaluated.scores
    with mlflow.start_run(experiment_id=tracking.experiment_id(client, paths, EXPERIMENT),
                          run_name=scores.subject) as run:
        mlflow.log_params({"subject": scores.subject, "seasons": ",".join(map(str, seasons)),
                           "model_version": model_version(paths, evaluated.subject),
                           "races": scores.per_race["race_id"].nunique()})
        metrics = {"runtime_s": evaluated.runtime_s}
        for row in scores.per_season.to_dict("records"):
            metrics[f"{row['metric']}_{row['season']}"] = float(row["value"])
            # a metric judged against several baselines (the safety car: global rate and circuit model) logs each
            metrics[f"baseline_{row['baseline_name']}_{row['metric']}_{row['season']}".replace(" ", "_")] = float(
                row["baseline"])
        mlflow.log_metrics(metrics)
        mlflow.log_text(scores.per_race.to_csv(index=False), "per_race.csv")
        mlflow.log_text(scores.per_season.to_csv(index=False), "per_season.csv")
        mlflow.log_figure(figure(scores), "plots/per_race.png")
        if scores.probabilities is not None:
            calibration = calibration_table(scores.probabilities)
            mlflow.log_text(calibration.to_csv(index=False), "calibration.csv")
            mlflow.log_figure(calibration_figure(calibration, scores.subject), "plots/calibration.png")
    return str(run.info.run_id)
