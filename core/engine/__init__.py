"""The sync engine: snapshot -> plan -> apply."""
