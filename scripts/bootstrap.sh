#!/usr/bin/env bash
# Create (or refresh) the project's virtual environment in .cpts/venv.
# Sourced by scripts/demo and scripts/test; safe to run again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${CPTS_STATE_DIR:-$ROOT/.cpts}"
VENV="$STATE/venv"
PYTHON_BIN="${PYTHON:-}"
if [ -z "$PYTHON_BIN" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && \
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)'; then
      PYTHON_BIN="$candidate"; break
    fi
  done
fi
if [ -z "$PYTHON_BIN" ]; then
  echo "cpts-bot needs Python 3.11 (set PYTHON=/path/to/python3.11)" >&2
  exit 1
fi
mkdir -p "$STATE"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON_BIN" -m venv "$VENV"
fi
STAMP="$VENV/.installed"
WANT="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  echo "Installing cpts-bot and its dependencies into $VENV ..." >&2
  # pip's own chatter (and setuptools' note on editable installs) goes to a log, shown
  # only when the installation fails.
  LOG="$STATE/pip-install.log"
  if ! { "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip &&
         "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT[test]"; } \
       >"$LOG" 2>&1; then
    cat "$LOG" >&2
    echo "installing cpts-bot failed (log: $LOG)" >&2
    exit 1
  fi
  echo "$WANT" > "$STAMP"
fi
export CPTS_STATE_DIR="$STATE"
export PATH="$VENV/bin:$PATH"
