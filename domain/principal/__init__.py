"""Principals: the users (people) and clients (machines) who act on Tumbuh."""
