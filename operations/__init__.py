"""Operations: background work that survives, graceful failure, backup/restore and inspection."""
