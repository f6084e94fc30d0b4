"""The routers of this room: each imports the room's code and ``api.web``, never another router."""
