"""Business logic of the canteen's mini-program; the API, admin and commands call only this."""
