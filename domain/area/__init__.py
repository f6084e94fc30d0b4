"""Areas: the desa/kelurahan registry, Kampung KB designation and the yearly sasaran."""
