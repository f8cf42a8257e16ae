"""The ledger's REST resources: intents, due diligence and follow-up reports."""
