"""Data exchange: the BKKBN/DHIS2 indicators, FHIR export, KRS import and webhooks."""
