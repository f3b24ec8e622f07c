"""A refresh with nothing to do answers without planning, and only when nothing could have changed the plan: the
archive's files, Dagster's event log, the code and settings (orchestration.settled)."""

from __future__ import annotations

from pathlib import Path

from dagster import AssetCheckEvaluation, DagsterInstance
from home_copies import copy_home
from undercut_cli import undercut

from orchestration.defs.sources.assets import FASTF1_SESSION, PLACED_CHECK
from transforms.archive_tools import link_copy

PLANNED, SETTLED = "up to date\n", "up to date (nothing changed since the last complete refresh)\n"


def _refresh(home: Path, archive: Path) -> str:
    return undercut("refresh", home, archive).splitlines(keepends=True)[0]


def test_a_noop_refresh_is_recognised_until_something_changes(built_home: Path, archive_dir: Path,
                                                               tmp_path: Path) -> None:
    home = copy_home(built_home, tmp_path / "home")
    archive = tmp_path / "archive"
    link_copy(archive_dir, archive)

    assert _refresh(home, archive) == PLANNED  # a new home folder (other settings): planned
    assert _refresh(home, archive) == SETTLED

    (archive / "historical" / "NOTES.txt").write_text("a file the archive did not have")
    assert _refresh(home, archive) == PLANNED  # the archive was touched: probed and planned, nothing changed
    assert _refresh(home, archive) == SETTLED

    with DagsterInstance.from_config(str(home / "dagster")) as instance:  # e.g. a check run from the UI
        instance.report_runless_asset_event(AssetCheckEvaluation(asset_key=FASTF1_SESSION, check_name=PLACED_CHECK,
                                                                 passed=True))
    assert _refresh(home, archive) == PLANNED
    assert _refresh(home, archive) == SETTLED
