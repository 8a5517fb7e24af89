#!/bin/sh
# Runs this checkout's PolicyDesk CLI (whatever the venv's editable install points at), for
# scripts/score_judged.py --policydesk scripts/policydesk_here.sh
here=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-/work/venv/bin/python}
PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" exec "$PYTHON" -m matcher "$@"
