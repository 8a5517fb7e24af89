"""Packaged ``policydesk`` command line (see matcher/cli.py)."""

from policydesk_entry import run

if __name__ == "__main__":
    run("cli")
