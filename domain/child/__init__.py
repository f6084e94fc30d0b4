"""Children under five (balita) and their measurements at the posyandu, as one stream each."""
