"""The argparse subcommands the console script wires in."""

from __future__ import annotations

import argparse
import json

import pytest

from simulation.cli import register


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="undercut")
    register(parser.add_subparsers(dest="command", required=True))
    return parser


def test_strategy_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    args = _parser().parse_args(["strategy", "--predicted-position-mean", "4", "--circuit-id", "monza",
                                 "--n-simulations", "150", "--is-wet-race", "--indent", "0"])
    assert args.func(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["race_parameters"]["circuit_id"] == "monza" and result["weather_impact"]["conditions"]["is_wet_race"]


def test_strategy_rejects_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    args = _parser().parse_args(["strategy", "--predicted-position-mean", "25"])
    assert args.func(args) == 2
    assert "invalid predicted_position_mean" in capsys.readouterr().err


def test_bench_subcommand_is_registered() -> None:
    args = _parser().parse_args(["bench-sim", "--races", "1000"])
    assert args.races == 1000 and callable(args.func)
