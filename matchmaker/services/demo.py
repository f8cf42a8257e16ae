"""The demo event in the package: three sessions, projects, institutions, one account per role."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.db.models import Event, Institution, Project
from matchmaker.domain import Role
from matchmaker.errors import Conflict
from matchmaker.services.accounts import create_user
from matchmaker.services.events import SessionSpec, add_session, create_event
from matchmaker.services.registrations import Progress, import_registrations

DEMO_PASSWORD = "demo1234"


@dataclass
class DemoAccount:
    """A sign-in the demo creates, printed for the person trying it."""

    username: str
    role: Role
    bound_to: str


def demo_file(name: str) -> bytes:
    """Return a file of the packaged demo data."""
    return resources.files("matchmaker.demo").joinpath("data", name).read_bytes()


def load_demo(db: Session, progress: Progress | None = None) -> tuple[Event, list[DemoAccount]]:
    """Create the demo event with its sessions, registrations and one account per role.

    Loading twice is refused by the event code (Conflict); the CLI resets the database first.
    """
    spec: dict[str, Any] = json.loads(demo_file("event.json"))
    info = spec["event"]
    if db.scalar(select(Event.id).where(Event.code == info["code"])) is not None:
        raise Conflict("demo.exists", code=info["code"])
    event = create_event(
        db,
        code=info["code"],
        name=info["name"],
        name_en=info.get("name_en", ""),
        year=int(info["year"]),
        city=info.get("city", ""),
        organiser=info.get("organiser", ""),
    )
    for session in spec["sessions"]:
        add_session(db, event, SessionSpec.from_dict(session))
    db.refresh(event)
    import_registrations(
        db, event, "institutions", demo_file("institutions.csv"), "institutions.csv", progress
    )
    import_registrations(db, event, "projects", demo_file("projects.csv"), "projects.csv", progress)
    return event, _demo_accounts(db, event)


def _demo_accounts(db: Session, event: Event) -> list[DemoAccount]:
    institution = db.scalars(
        select(Institution).where(Institution.event_id == event.id).order_by(Institution.code)
    ).first()
    project = db.scalars(
        select(Project).where(Project.event_id == event.id).order_by(Project.code)
    ).first()
    accounts = [
        DemoAccount("organiser", Role.ORGANISER, ""),
        DemoAccount("staff", Role.STAFF, ""),
        DemoAccount("investor", Role.INVESTOR, institution.code if institution else ""),
        DemoAccount("entrant", Role.ENTRANT, project.code if project else ""),
    ]
    names = {
        "organiser": "大赛组委会",
        "staff": "中小企业服务中心",
        "investor": institution.name if institution else "",
        "entrant": project.name if project else "",
    }
    for account in accounts:
        create_user(
            db,
            account.username,
            account.role,
            DEMO_PASSWORD,
            display_name=names[account.username],
            institution=institution if account.role is Role.INVESTOR else None,
            project=project if account.role is Role.ENTRANT else None,
        )
    return accounts
