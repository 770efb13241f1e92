"""media_profiles, media_render, media_regenerate."""
