"""``python -m matcher`` runs the ``policydesk`` command line."""

from matcher.cli.main import main

raise SystemExit(main())
