"""Packaged ``policydesk-gui`` desktop app (see desktop/app.py)."""

from policydesk_entry import run

if __name__ == "__main__":
    run("gui")
