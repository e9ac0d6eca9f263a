"""``qostil serve``: the nightly ingestion as a Prefect deployment on a cron schedule.

:func:`build_deployment` makes the deployment (testable, nothing starts);
:func:`serve` registers it with the Prefect API and runs it until stopped.
"""

from __future__ import annotations

import dataclasses
import logging

from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from flows.settings import Settings

log = logging.getLogger(__name__)


def build_deployment(settings: Settings) -> RunnerDeployment:
    """The ``nightly-ingest`` deployment: cron in the configured time zone, inbox/outbox/config as parameters."""
    from flows.pipeline import ingest_flow

    flow = ingest_flow(settings.run)
    return flow.to_deployment(
        name=settings.deployment,
        schedule=Cron(settings.cron, timezone=settings.timezone),
        parameters={
            "inbox": str(settings.inbox.resolve()),
            "out_dir": str(settings.outbox.resolve()),
            "config": dataclasses.asdict(settings.run),
        },
        description="Every file in the inbox once: done ones skipped, bad ones quarantined, the rest processed.",
        tags=["qostil", "nightly"],
    )


def serve(settings: Settings) -> None:
    """Run the deployment's schedule in this process until Ctrl-C (one run at a time)."""
    from prefect import serve as prefect_serve

    settings.inbox.mkdir(parents=True, exist_ok=True)
    settings.outbox.mkdir(parents=True, exist_ok=True)
    deployment = build_deployment(settings)
    log.info("serving %s: %s (%s)", deployment.name, settings.cron, settings.timezone)
    prefect_serve(deployment, limit=1)


__all__ = ["build_deployment", "serve"]
