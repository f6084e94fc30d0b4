"""Audit: the event feed, verification of the chain, replay and rebuild, the log watch."""
