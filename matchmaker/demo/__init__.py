"""The packaged demo event (data only)."""
