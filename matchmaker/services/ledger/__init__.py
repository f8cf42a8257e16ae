"""Ledger: intents, their spreadsheets, due diligence, follow-up reports."""
