"""Figures of the precompute tables (matplotlib object API, no global state: safe in any process)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure


def safety_car_bars(table: pd.DataFrame, label: str = "circuit_ref") -> Figure:
    """P(>=1 SC), P(VSC only) and P(red flag) per circuit, highest SC probability first."""
    data = table.sort_values("sc_probability", ascending=False)
    fig = Figure(figsize=(11, 4))
    ax = fig.add_subplot()
    x = np.arange(len(data))
    for i, (column, name) in enumerate((("sc_probability", "P(>=1 SC)"), ("vsc_only_probability", "P(VSC only)"),
                                        ("red_flag_probability", "P(red flag)"))):
        ax.bar(x + (i - 1) * 0.27, data[column], width=0.27, label=name)
    ax.set_xticks(x, data[label], rotation=60, ha="right", fontsize=8)
    ax.set_ylabel("probability per race")
    ax.legend()
    return fig


def position_fan(rows: pd.DataFrame, positions: dict[tuple[int, int], np.ndarray], names: dict[int, str]) -> Figure:
    """Per driver (predicted order): the recommended plan's finishing-position fan (10-90 and 25-75 %, median)
    and every plan's expected position as a dot."""
    best = rows[rows["rank"] == 1].sort_values("predicted_position_mean")
    fig = Figure(figsize=(11, 4.5))
    ax = fig.add_subplot()
    x = np.arange(len(best))
    samples = [positions[(d, k)] for d, k in zip(best["driver_id"], best["strategy_id"], strict=True)]
    p10, p25, p50, p75, p90 = np.percentile(np.stack(samples), [10, 25, 50, 75, 90], axis=1)
    ax.fill_between(x, p10, p90, alpha=0.2, color="tab:blue", label="best plan 10-90 %")
    ax.fill_between(x, p25, p75, alpha=0.4, color="tab:blue", label="best plan 25-75 %")
    ax.plot(x, p50, color="tab:blue", label="best plan median")
    order = {d: i for i, d in enumerate(best["driver_id"])}
    for label, plan_rows in rows.groupby("label"):
        ax.scatter(plan_rows["driver_id"].map(order), plan_rows["expected_position"], s=12, label=str(label))
    ax.set_xticks(x, [names.get(d, str(d)) for d in best["driver_id"]], rotation=60, ha="right", fontsize=8)
    ax.set_ylabel("finishing position")
    ax.invert_yaxis()
    ax.legend(fontsize=7, ncol=2)
    return fig


def title_odds(odds: pd.DataFrame, names: dict[str, dict[int, str]], top: int = 8) -> Figure:
    """Title probability of the leading drivers and constructors after a race (``names`` per id column)."""
    fig = Figure(figsize=(10, 3.5))
    for i, (championship, id_column) in enumerate((("drivers", "driver_id"), ("constructors", "constructor_id"))):
        ax = fig.add_subplot(1, 2, i + 1)
        data = odds[odds["championship"] == championship].nlargest(top, "title_probability")
        ax.barh([names[id_column].get(int(v), str(v)) for v in data[id_column]], data["title_probability"])
        ax.invert_yaxis()
        ax.set_title(f"{championship} title")
        ax.set_xlim(0, 1)
    return fig
