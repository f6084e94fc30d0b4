"""The demo seed: Kota Banjar's areas, children, meetings and sponsors (``tumbuh seed-demo``)."""
