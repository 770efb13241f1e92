"""Management commands of media_pipeline."""
