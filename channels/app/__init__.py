"""The APP channel: the versioned JSON API of 广西信访APP and of the staff simple-handling APP."""
