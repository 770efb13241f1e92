"""The Django project package of the portal group and the ``cms`` app (page types, workflow, search, cache)."""
