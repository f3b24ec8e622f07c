"""Insight figures (matplotlib, headless) and their Markdown form for Dagster asset metadata."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # headless: figures become PNG bytes

import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from insights.time_lost import CATEGORIES, driver_totals  # noqa: E402


def time_lost_bars(items: pd.DataFrame, title: str) -> Figure:
    """Stacked bars: seconds lost per driver by category."""
    wide = driver_totals(items)
    figure = Figure(figsize=(9, 4))
    ax = figure.subplots()
    bottom = pd.Series(0.0, index=wide.index)
    for category in CATEGORIES:
        ax.bar(wide.index, wide[category], bottom=bottom, label=category.replace("_", " "))
        bottom += wide[category]
    ax.set_ylabel("seconds lost")
    ax.set_title(title)
    ax.tick_params(axis="x", labelrotation=90)
    ax.legend()
    return figure


def battle_heatmap(forecast: pd.DataFrame, title: str) -> Figure:
    """Battle intensity by lap (x) and attacker position (y)."""
    grid = forecast.pivot_table(index="position", columns="lap_number", values="intensity", aggfunc="max")
    figure = Figure(figsize=(10, 4))
    ax = figure.subplots()
    laps, positions = grid.columns.astype(float), grid.index.astype(float)
    image = ax.imshow(grid.to_numpy(), aspect="auto", cmap="inferno", vmin=1, vmax=10, origin="upper",
                      extent=(laps.min() - 0.5, laps.max() + 0.5, positions.max() + 0.5, positions.min() - 0.5))
    figure.colorbar(image, ax=ax, label="intensity (1-10)")
    ax.set_xlabel("lap")
    ax.set_ylabel("attacker position")
    ax.set_title(title)
    return figure
