"""Entry point of ``python -m layers.people`` (see :mod:`layers.people.cli`)."""

from layers.people.cli import main

raise SystemExit(main())
