"""The baseline for ``benchmarks/load.py``: the same users asking only ``/healthz``."""

from __future__ import annotations

import os

from locust import FastHttpUser, between, task


def think_time() -> tuple[float, float]:
    """Seconds a user waits between tasks: ``MATCHMAKER_LOAD_THINK`` ("1,3"; "0,0" for none)."""
    low, high = os.environ.get("MATCHMAKER_LOAD_THINK", "1,3").split(",")
    return float(low), float(high)


class Bare(FastHttpUser):
    """What the bare server and this machine give at the same concurrency and pacing."""

    wait_time = between(*think_time())

    @task
    def health(self) -> None:
        self.client.get("/healthz", name="healthz")
