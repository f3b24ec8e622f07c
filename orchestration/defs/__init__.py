"""Dagster definitions by domain. BackfillPolicy is a beta parameter: its warning says nothing to our users."""

import warnings

from dagster import BetaWarning

warnings.filterwarnings("ignore", category=BetaWarning)
