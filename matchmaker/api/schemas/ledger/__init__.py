"""Schemas of the follow-up ledger: intents, due-diligence tasks, the digest, reports, page forms.

The ``*Out`` schemas dump what the ledger services return (intents and tasks as rows, the
digest, the import summary, the report), adding labels and amounts as text in the request's
language. The ``*Form`` schemas read the ledger pages' forms the way the pages always have.
"""
