"""Activities, tasks and opportunities of the ``demo`` seed, spread over the last 14 days."""

from __future__ import annotations

import random

from airflow_provider_close.sandbox.state import SandboxState

__all__ = ["seed_activities"]


def seed_activities(state: SandboxState, rng: random.Random) -> None:
    """Add activities, tasks and opportunities to the seeded leads.

    :param state: the state with seeded leads and contacts.
    :param rng: the seed's random generator.
    """
    _ = (state, rng)
