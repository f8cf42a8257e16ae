"""Ranking cores: shortlists, reasons and registration checks (numpy, scikit-learn)."""
