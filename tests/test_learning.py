"""Learning an event's block weights from its own likes and passes, on SQLite and PostgreSQL."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from matchmaker.db.engine import transaction
from matchmaker.db.models import Institution, MatchWeights, Project
from matchmaker.domain import Verdict
from matchmaker.embeddings.composite import Weights
from matchmaker.services.matching.learning import learn_weights
from matchmaker.services.matching.matcher import Matcher, ShortlistQuery, record_verdict
from matchmaker.services.operations.demo import load_demo


@pytest.fixture
def demo(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(factory) as db:
        load_demo(db)
    return factory


def test_too_little_signal_keeps_the_defaults(demo: sessionmaker[Session]) -> None:
    matcher = Matcher()
    with transaction(demo) as db:
        event, institution = _event(db), db.scalars(select(Institution)).first()
        for project in db.scalars(select(Project).limit(4)):
            record_verdict(db, institution, project, Verdict.LIKE, None)
        learned = learn_weights(db, event, matcher)
    assert learned.outcomes == 4 and not learned.fit.fitted and not learned.applied
    assert "30" in learned.fit.reason
    with demo() as db:
        assert db.scalar(select(MatchWeights)) is None


def test_likes_that_follow_the_sector_teach_a_heavier_sector_weight(
    demo: sessionmaker[Session],
) -> None:
    """Investors here like exactly the projects of their sectors: the fit must learn that."""
    matcher = Matcher()
    rng = np.random.default_rng(5)
    with transaction(demo) as db:
        event = _event(db)
        state = matcher.state(db, event)
        sector = state.space.slices["sector"]
        for institution in db.scalars(select(Institution)):
            q = state.institution_vectors[state.institution_row[institution.id], sector]
            fit = state.project_vectors[:, sector] @ q
            order = np.argsort(-fit)
            liked = order[:6]
            passed = rng.choice(order[40:], size=12, replace=False)
            for rows, verdict in ((liked, Verdict.LIKE), (passed, Verdict.PASS)):
                for row in rows:
                    project = db.get_one(Project, state.projects[int(row)].id)
                    record_verdict(db, institution, project, verdict, None)
        learned = learn_weights(db, event, matcher)
    default = Weights().normalised()
    assert learned.fit.fitted and learned.fit.better and learned.applied, learned.fit.reason
    assert learned.fit.weights.normalised()["sector"] > default["sector"]
    assert learned.fit.metrics["ndcg_fitted"] > learned.fit.metrics["ndcg_default"]
    with demo() as db:
        stored = db.scalar(select(MatchWeights))
        assert stored is not None and stored.weights["sector"] > default["sector"]
        # the event's shortlists now rank with the learned weights
        institution = db.scalars(select(Institution)).first()
        matcher.shortlist(db, _event(db), institution, ShortlistQuery(k=5))
        assert matcher.states[_event(db).id].space.w["sector"] == pytest.approx(
            stored.weights["sector"]
        )


def _event(db: Session):  # type: ignore[no-untyped-def]
    from matchmaker.services.registry.events import get_event

    return get_event(db)
