"""``qostil serve`` builds a cron deployment of ``nightly_ingest`` (constructed here, never started)."""

from __future__ import annotations

from pathlib import Path

from flows.serve import build_deployment
from flows.settings import load_settings


def test_default_deployment_runs_at_two_in_almaty(tmp_path):
    settings = load_settings(environ={"QOSTIL_INBOX": str(tmp_path / "in"), "QOSTIL_OUTBOX": str(tmp_path / "out")})
    dep = build_deployment(settings)
    assert dep.name == "nightly"
    assert dep.flow_name == "nightly-ingest"
    [schedule] = dep.schedules
    assert schedule.schedule.cron == "0 2 * * *"
    assert schedule.schedule.timezone == "Asia/Almaty"
    assert dep.parameters["inbox"] == str((tmp_path / "in").resolve())
    assert dep.parameters["out_dir"] == str((tmp_path / "out").resolve())
    assert dep.parameters["config"]["ocr_timeout_s"] == settings.run.ocr_timeout_s


def test_config_file_sets_schedule_and_run_parameters(tmp_path):
    toml = tmp_path / "qostil.toml"
    toml.write_text(
        f'inbox = "{tmp_path / "in"}"\noutbox = "{tmp_path / "out"}"\nworkers = 2\nmodel = "default"\n'
        '[schedule]\ncron = "15 3 * * 1-5"\ntimezone = "Asia/Aqtobe"\n[limits]\nmax_pages = 40\n',
        encoding="utf-8",
    )
    dep = build_deployment(load_settings(toml, environ={}))
    [schedule] = dep.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("15 3 * * 1-5", "Asia/Aqtobe")
    config = dep.parameters["config"]
    assert (config["workers"], config["model"], config["max_pages"]) == (2, "default", 40)
    assert Path(dep.parameters["inbox"]) == tmp_path / "in"
