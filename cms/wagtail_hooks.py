"""Admin integration of the cms app."""
