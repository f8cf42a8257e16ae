"""Operations: background jobs, backups, event archives, the demo."""
