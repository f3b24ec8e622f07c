"""The inputs of a strategy recommendation (``undercut strategy``, the seed recommender's ``/strategy``): pydantic
only, so a command line or an HTTP API can describe them without loading the engine."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class StrategyRequest(BaseModel):
    """Inputs of ``/strategy`` with the seed recommender's ranges. ``race_laps`` and ``pit_loss_sec`` default to
    the circuit's own values when not given; gaps are in seconds, temperatures in °C."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    predicted_position_mean: float = Field(ge=1, le=20)
    predicted_position_std: float = Field(default=2.0, ge=0.1, le=10)
    circuit_id: str | None = Field(default=None, min_length=1, max_length=64)
    race_laps: int | None = Field(default=None, ge=30, le=80)
    track_temp: float | None = Field(default=None, ge=10, le=70)
    air_temp: float | None = Field(default=None, ge=5, le=50)
    humidity: float | None = Field(default=None, ge=0, le=100)
    rain_probability: float = Field(default=0.0, ge=0, le=1)
    is_wet_race: bool = False
    gap_to_car_ahead: float = Field(default=1.0, ge=0, le=60)
    gap_to_car_behind: float = Field(default=1.0, ge=0, le=60)
    pit_loss_sec: float | None = Field(default=None, ge=15, le=35)
    stint_limit_laps: int | None = Field(default=None, ge=5, le=80,
                                         description="published maximum laps on one set of slicks (Qatar 2025: 25)")
    n_simulations: int = Field(default=2000, ge=100, le=10000)
    seed: int = Field(default=0, ge=0)
