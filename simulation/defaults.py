"""Built-in circuit parameters, used when a caller has no fitted parameters.

Keys are Ergast ``circuitRef`` ids (``bahrain``, ``monaco``, ...). The values were fitted on the 2019-2025
archive (``shared/data``, cut-off 2025-08-31) with :mod:`simulation.fitting` and rounded;
``python -m simulation.defaults_table`` prints them again from a home's marts. SC/VSC/red-flag rates are shrunk
toward the all-circuit rates; a compound's tuple is (pace offset vs MEDIUM s, degradation s/lap, usable stint
laps, cliff lap). Unknown circuits get the generic :class:`~simulation.params.CircuitParams`.
"""

from __future__ import annotations

from typing import Any

from simulation.params import DEFAULT_COMPOUNDS, CircuitParams, Compound


def _circuit(
    race_laps: int,
    base_lap_time_s: float,
    pit_loss_s: tuple[float, float, float],
    overtake_threshold_s: float,
    lap_noise_s: float,
    events: tuple[float, float, float, float],
    tyres: dict[str, tuple[float, float, int, int]],
) -> dict[str, Any]:
    """CircuitParams fields from one row of the table: pit losses (green, VSC, SC) and events (SC per race,
    SC mean laps, VSC per race, red-flag probability)."""
    green, vsc, sc = pit_loss_s
    sc_per_race, sc_mean_laps, vsc_per_race, red_flag_prob = events
    compounds = dict(DEFAULT_COMPOUNDS)
    for name, (pace_offset_s, deg_s_per_lap, max_stint_laps, cliff_lap) in tyres.items():
        compound = Compound(name)
        compounds[compound] = DEFAULT_COMPOUNDS[compound].model_copy(
            update={
                "pace_offset_s": pace_offset_s,
                "deg_s_per_lap": deg_s_per_lap,
                "max_stint_laps": max_stint_laps,
                "cliff_lap": cliff_lap,
            }
        )
    return {
        "race_laps": race_laps,
        "base_lap_time_s": base_lap_time_s,
        "pit_loss_green_s": green,
        "pit_loss_vsc_s": vsc,
        "pit_loss_sc_s": sc,
        "overtake_threshold_s": overtake_threshold_s,
        "lap_noise_s": lap_noise_s,
        "compounds": compounds,
        "events": {
            "sc_per_race": sc_per_race,
            "sc_mean_laps": sc_mean_laps,
            "vsc_per_race": vsc_per_race,
            "red_flag_prob": red_flag_prob,
        },
    }


# fmt: off
CIRCUIT_DEFAULTS: dict[str, dict[str, Any]] = {
    "albert_park": _circuit(57, 80.4, (21.6, 12.8, 12.8), 1.75, 0.42, (0.98, 3.8, 0.83, 0.166), {"SOFT": (-0.45, 0.023, 27, 30), "MEDIUM": (0.0, 0.059, 37, 44), "HARD": (0.21, 0.02, 47, 52)}),
    "americas": _circuit(56, 98.3, (20.8, 13.2, 10.4), 1.35, 0.44, (0.48, 5.0, 0.33, 0.041), {"SOFT": (-0.36, 0.075, 22, 24), "MEDIUM": (0.0, 0.076, 26, 31), "HARD": (0.33, 0.095, 34, 38)}),
    "bahrain": _circuit(57, 93.7, (23.9, 16.0, 11.9), 1.70, 0.42, (0.80, 5.0, 0.24, 0.121), {"SOFT": (-0.44, 0.131, 21, 26), "MEDIUM": (0.0, 0.107, 25, 31), "HARD": (0.15, 0.12, 27, 29)}),
    "baku": _circuit(51, 105.5, (22.6, 14.0, 11.3), 1.38, 0.45, (0.65, 4.3, 0.63, 0.148), {"SOFT": (-0.36, 0.167, 16, 18), "MEDIUM": (0.0, 0.039, 38, 41), "HARD": (0.36, 0.031, 43, 50)}),
    "catalunya": _circuit(66, 80.0, (22.9, 14.5, 14.5), 1.72, 0.46, (0.58, 6.7, 0.16, 0.033), {"SOFT": (-0.43, 0.044, 28, 31), "MEDIUM": (0.0, 0.062, 32, 36), "HARD": (0.24, 0.044, 34, 37)}),
    "hungaroring": _circuit(70, 81.0, (21.8, 13.9, 10.9), 1.84, 0.48, (0.35, 5.0, 0.33, 0.121), {"SOFT": (-0.27, 0.047, 31, 32), "MEDIUM": (0.0, 0.049, 35, 40), "HARD": (0.1, 0.049, 46, 50)}),
    "imola": _circuit(63, 77.9, (27.7, 16.8, 16.8), 1.25, 0.40, (0.64, 5.0, 0.44, 0.055), {"SOFT": (-0.45, 0.0, 28, 34), "MEDIUM": (0.0, 0.067, 31, 36), "HARD": (0.34, 0.046, 40, 50)}),
    "interlagos": _circuit(69, 71.6, (21.9, 13.9, 13.9), 1.05, 0.35, (0.97, 5.7, 0.27, 0.222), {"SOFT": (-0.36, 0.052, 28, 30), "MEDIUM": (0.0, 0.047, 31, 38), "HARD": (0.26, 0.074, 43, 51)}),
    "jeddah": _circuit(50, 91.1, (21.1, 13.4, 13.4), 1.44, 0.37, (0.87, 4.8, 0.63, 0.148), {"SOFT": (-0.3, 0.121, 17, 18), "MEDIUM": (0.0, 0.048, 32, 37), "HARD": (0.46, 0.022, 43, 44)}),
    "losail": _circuit(57, 86.5, (27.3, 17.4, 10.9), 1.24, 0.52, (0.98, 4.8, 0.38, 0.047), {"SOFT": (-0.3, 0.0, 27, 28), "MEDIUM": (0.0, 0.0, 35, 35), "HARD": (0.17, 0.031, 30, 33)}),
    "marina_bay": _circuit(62, 96.9, (28.9, 18.4, 14.4), 2.33, 0.62, (0.98, 5.0, 0.38, 0.047), {"SOFT": (-0.3, 0.0, 25, 29), "MEDIUM": (0.0, 0.06, 35, 37), "HARD": (0.28, 0.03, 42, 43)}),
    "miami": _circuit(57, 90.1, (19.7, 13.1, 13.1), 1.23, 0.32, (0.61, 5.0, 0.83, 0.041), {"SOFT": (-0.3, 0.032, 21, 26), "MEDIUM": (0.0, 0.021, 28, 34), "HARD": (0.15, 0.022, 43, 49)}),
    "monaco": _circuit(78, 74.7, (18.6, 11.9, 9.3), 3.00, 0.84, (0.55, 5.0, 0.38, 0.047), {"SOFT": (-0.6, 0.0, 42, 45), "MEDIUM": (0.0, 0.015, 49, 66), "HARD": (0.17, 0.018, 67, 68)}),
    "monza": _circuit(53, 82.8, (25.4, 21.2, 12.7), 1.70, 0.33, (0.47, 5.0, 0.44, 0.055), {"SOFT": (-0.56, 0.045, 30, 32), "MEDIUM": (0.0, 0.065, 28, 30), "HARD": (0.25, 0.056, 35, 39)}),
    "portimao": _circuit(66, 80.4, (26.9, 17.1, 13.4), 0.96, 0.27, (0.77, 5.0, 0.33, 0.066), {"SOFT": (-0.45, 0.0, 30, 36), "MEDIUM": (0.0, 0.0, 44, 50), "HARD": (0.26, 0.005, 43, 44)}),
    "red_bull_ring": _circuit(70, 67.1, (21.1, 12.3, 10.6), 1.07, 0.33, (0.90, 5.0, 0.24, 0.030), {"SOFT": (-0.2, 0.007, 34, 37), "MEDIUM": (0.0, 0.02, 37, 44), "HARD": (0.1, 0.029, 45, 48)}),
    "ricard": _circuit(53, 95.0, (23.6, 15.0, 11.8), 1.89, 0.46, (0.47, 5.0, 0.44, 0.055), {"SOFT": (-0.45, 0.0, 28, 34), "MEDIUM": (0.0, 0.075, 27, 28), "HARD": (0.34, 0.048, 37, 37)}),
    "rodriguez": _circuit(71, 79.0, (22.4, 14.3, 11.2), 1.57, 0.41, (0.69, 5.0, 0.52, 0.190), {"SOFT": (-0.36, 0.018, 28, 34), "MEDIUM": (0.0, 0.022, 39, 43), "HARD": (0.23, 0.031, 50, 54)}),
    "shanghai": _circuit(56, 95.1, (22.9, 14.6, 14.6), 1.70, 0.38, (0.69, 5.0, 0.38, 0.047), {"SOFT": (-0.36, 0.065, 20, 21), "MEDIUM": (0.0, 0.113, 25, 25), "HARD": (0.38, 0.087, 41, 44)}),
    "silverstone": _circuit(52, 89.7, (20.0, 12.7, 12.7), 1.30, 0.34, (0.87, 6.0, 0.29, 0.148), {"SOFT": (-0.26, 0.019, 23, 25), "MEDIUM": (0.0, 0.01, 32, 35), "HARD": (0.13, 0.018, 40, 40)}),
    "sochi": _circuit(53, 97.9, (25.4, 17.2, 17.2), 1.31, 0.52, (0.81, 5.0, 0.44, 0.055), {"SOFT": (-0.45, 0.0, 28, 29), "MEDIUM": (0.0, 0.0, 30, 31), "HARD": (0.21, 0.039, 36, 36)}),
    "spa": _circuit(44, 107.6, (19.0, 12.1, 9.5), 1.68, 0.67, (0.64, 5.0, 0.27, 0.055), {"SOFT": (-0.36, 0.144, 24, 28), "MEDIUM": (0.0, 0.093, 29, 30), "HARD": (0.01, 0.035, 43, 51)}),
    "suzuka": _circuit(53, 91.4, (23.0, 14.6, 11.5), 1.74, 0.39, (0.55, 5.0, 0.38, 0.047), {"SOFT": (-0.44, 0.094, 22, 26), "MEDIUM": (0.0, 0.081, 29, 33), "HARD": (0.24, 0.085, 32, 35)}),
    "vegas": _circuit(50, 97.1, (23.9, 15.2, 11.9), 1.35, 0.68, (0.97, 5.0, 0.53, 0.066), {"SOFT": (-0.08, 0.044, 28, 34), "MEDIUM": (0.0, 0.025, 22, 25), "HARD": (0.26, 0.025, 33, 34)}),
    "villeneuve": _circuit(70, 74.6, (19.3, 12.3, 12.3), 1.92, 0.36, (0.69, 5.0, 0.38, 0.047), {"SOFT": (-0.7, 0.035, 14, 17), "MEDIUM": (0.0, 0.031, 33, 38), "HARD": (0.2, 0.019, 57, 60)}),
    "yas_marina": _circuit(58, 87.2, (22.7, 16.7, 11.8), 1.77, 0.35, (0.48, 5.0, 0.36, 0.033), {"SOFT": (-0.5, 0.107, 21, 24), "MEDIUM": (0.0, 0.085, 28, 31), "HARD": (0.21, 0.053, 44, 45)}),
    "zandvoort": _circuit(72, 72.5, (20.8, 13.2, 11.4), 2.07, 0.48, (0.97, 5.3, 0.44, 0.055), {"SOFT": (-0.37, 0.02, 34, 36), "MEDIUM": (0.0, 0.037, 39, 41), "HARD": (0.21, 0.032, 45, 51)}),
}
# fmt: on


def default_circuit(circuit_id: str | None) -> tuple[CircuitParams, str]:
    """The built-in parameters for a circuit and where they came from: ``"default"`` for a known circuit,
    ``"generic"`` for an unknown or missing id (a typical modern permanent circuit)."""
    if circuit_id and circuit_id in CIRCUIT_DEFAULTS:
        return CircuitParams.model_validate({"circuit_id": circuit_id, **CIRCUIT_DEFAULTS[circuit_id]}), "default"
    return CircuitParams(circuit_id=circuit_id or "generic"), "generic"
