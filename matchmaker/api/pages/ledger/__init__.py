"""Follow-up pages for staff: the intent ledger, the due-diligence board, landings and the
outcome report.

Every figure comes from the services the API uses (the same intent list, the digest, the
report), so a page and its JSON cannot disagree. Forms post, redirect and show a notice; a
refused form is shown again with each problem beside its field, and nothing is written.
"""

from matchmaker.api.pages.ledger import due_diligence, intents, landings, reports
from matchmaker.api.pages.ledger.base import bp

__all__ = [
    "bp",
    "due_diligence",
    "intents",
    "landings",
    "reports",
]  # the view modules register on ``bp``
