"""The multi-node deployment in deploy/ holds together without Docker (none on these machines).

compose.yaml parses, every command it runs is a `matchmaker` command with options it accepts,
every setting its env files name is one ``Settings`` reads, each app node has an instance folder
of its own and the attachments folder they share, and nginx balances exactly the app nodes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click
import yaml
from sqlalchemy.engine import make_url

from matchmaker.cli import main
from matchmaker.config import NAMES

DEPLOY = Path(__file__).parent.parent / "deploy"
SETTING = re.compile(r"^#?\s*([A-Z][A-Z0-9_]+)=(.*)$")


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


def _env(name: str) -> dict[str, str]:
    """Return the settings an env file names, commented-out examples included."""
    found = {}
    for line in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
        match = SETTING.match(line.strip())
        if match:
            found[match[1]] = match[2]
    return found


def _matchmaker_services() -> dict[str, list[str]]:
    services = _compose()["services"]
    return {
        name: service["command"]
        for name, service in services.items()
        if service.get("command", [""])[0] == "matchmaker"
    }


def test_every_command_the_deployment_runs_is_a_matchmaker_command_it_accepts() -> None:
    commands = _matchmaker_services()
    assert {c[1] for c in commands.values()} == {"init", "serve", "worker"}
    for service, (_, name, *args) in commands.items():
        command = main.commands.get(name)
        assert command is not None, f"{service}: no `matchmaker {name}`"
        try:  # parses the options as the command would, without running it
            command.make_context(name, list(args))
        except click.UsageError as exc:
            raise AssertionError(f"{service}: matchmaker {name} {args}: {exc}") from exc


def test_the_env_files_name_only_settings_matchmaker_reads() -> None:
    known = {name.env for name in NAMES}
    env = _env("matchmaker.env.example")
    assert set(env) <= known, set(env) - known
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    baked = set(re.findall(r"\b((?:MATCHMAKER|HF)_[A-Z_]+)=", dockerfile))
    assert baked and baked <= known, baked - known
    # the database the app nodes use is the one the postgres container creates
    url = make_url(env["MATCHMAKER_DATABASE_URL"])
    postgres = _env("postgres.env.example")
    assert (url.username, url.password, url.database, url.host) == (
        postgres["POSTGRES_USER"],
        postgres["POSTGRES_PASSWORD"],
        postgres["POSTGRES_DB"],
        "postgres",
    )
    assert make_url(env["MATCHMAKER_REDIS_URL"]).host == "redis"
    services = _compose()["services"]
    assert all(services[s]["env_file"] == ["matchmaker.env"] for s in _matchmaker_services())


def test_each_app_node_has_its_own_instance_folder_and_shares_the_attachments() -> None:
    services = _compose()["services"]
    apps = {s: c for s, c in _matchmaker_services().items() if c[1] == "serve"}
    assert len(apps) >= 2
    attachments = _env("matchmaker.env.example")["MATCHMAKER_ATTACHMENT_DIR"]
    instance = _env("matchmaker.env.example")["MATCHMAKER_INSTANCE_DIR"]
    mounts = {s: dict(v.split(":")[:2] for v in services[s]["volumes"]) for s in apps}
    own = [next(vol for vol, path in m.items() if path == instance) for m in mounts.values()]
    assert len(set(own)) == len(apps), mounts  # one instance volume per node
    shared = {next(vol for vol, path in m.items() if path == attachments) for m in mounts.values()}
    assert len(shared) == 1, mounts  # one attachments volume for all
    declared = set(_compose()["volumes"])
    assert set(own) | shared <= declared


def test_nginx_balances_exactly_the_app_nodes_on_the_port_they_serve() -> None:
    apps = {
        s: c[c.index("--port") + 1] for s, c in _matchmaker_services().items() if c[1] == "serve"
    }
    nginx = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    upstream = set(re.findall(r"^\s*server\s+([\w.-]+):(\d+)", nginx, re.MULTILINE))
    assert upstream == set(apps.items())
    services = _compose()["services"]
    for service, port in apps.items():  # the health check asks the port the node serves
        assert f":{port}/healthz" in " ".join(services[service]["healthcheck"]["test"])
    assert set(services["proxy"]["depends_on"]) == set(apps)
