"""Use cases. Services flush but never commit: the view (or CLI command) commits once."""
