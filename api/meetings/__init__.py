"""Meetings: rakor and rembuk stunting, their resolutions and the printable minutes."""
