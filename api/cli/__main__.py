"""``python -m api.cli``: the same as the ``tumbuh`` command."""

from api.cli import main

main()
