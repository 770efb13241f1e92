"""Migrations of media_pipeline."""
