"""The read-access log: who saw which subject's personal data, and when."""
