"""Matplotlib figures as Dagster metadata: a PNG embedded in Markdown (shown inline in the asset's UI page)."""

import base64
import io

import matplotlib

matplotlib.use("Agg")  # headless

from dagster import MetadataValue  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402


def figure_metadata(figure: Figure, title: str) -> MetadataValue:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return MetadataValue.md(f"![{title}](data:image/png;base64,{encoded})")
