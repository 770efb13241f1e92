"""The 15 portals: registry, per-site settings, groups and permissions, accounts, seeding."""
