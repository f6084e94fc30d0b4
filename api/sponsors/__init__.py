"""Sponsors: families at risk (KRS), sponsors (orang tua asuh), commitments and deliveries."""
