"""Services of the portal group: seeding portals, permissions, workflows and staff accounts."""
