"""matchmaker: investor–project matchmaking for entrepreneurship competitions."""

__version__ = "0.1.0"
