"""Identity and access: users, clients, OAuth2 grants and tokens, signing keys, passwords,
throttling, the principal's reach and the read-access log.
"""
