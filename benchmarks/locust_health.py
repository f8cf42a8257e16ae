"""The baseline for ``benchmarks/load.py``: the same users asking only ``/healthz``."""

from __future__ import annotations

from locust import HttpUser, between, task


class Bare(HttpUser):
    """What the bare server and this machine give at the same concurrency and pacing."""

    wait_time = between(1, 3)

    @task
    def health(self) -> None:
        self.client.get("/healthz", name="healthz")
