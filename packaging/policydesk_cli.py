"""Packaged ``policydesk`` command line (see matcher/cli/main.py)."""

from policydesk_entry import run

if __name__ == "__main__":
    run("cli")
