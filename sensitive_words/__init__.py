"""sensitive_words: a leaf app; it imports nothing of the project."""
