"""``python -m matcher`` runs the ``policydesk`` command line."""

from .cli import main

raise SystemExit(main())
