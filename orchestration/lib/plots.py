"""Plots as asset metadata: every domain's figures go through here (PNG under $UNDERCUT_HOME/plots + inline image)."""

import base64
import io
from pathlib import Path

from dagster import MetadataValue
from matplotlib.figure import Figure


def plot_metadata(figure: Figure, path: Path, name: str = "plot", inline: bool = True) -> dict[str, MetadataValue]:
    """Write `figure` as PNG to `path`; metadata `<name>_path` links it and `<name>` shows it inline (a Markdown
    data URI, which the Dagster UI renders). Inline images are copied into every partition's event, so callers
    covering many partitions pass inline=False."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    metadata: dict[str, MetadataValue] = {f"{name}_path": MetadataValue.path(str(path))}
    if inline:
        encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
        metadata[name] = MetadataValue.md(f"![{path.stem}](data:image/png;base64,{encoded})")
    return metadata
