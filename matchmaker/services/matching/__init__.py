"""Matching: the Matcher, its state, profiles, index store, verdicts, learning, duplicates."""
