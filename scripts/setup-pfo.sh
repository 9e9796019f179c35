#!/usr/bin/env bash
# (`npm run bench:peers`, scripts/bench-peers.sh, installs this peer with all the others in one venv outside
# the repository; bench/portfolio-peers.ts takes KERNELBUS_PFO_PYTHON, else that venv, else the one
# this script makes.)
# Installs PyPortfolioOpt 1.5.6 (commit 65cabce) as a peer for the portfolio family, idempotently:
# a venv with its dependencies (cvxpy, clarabel, scipy, pandas from the package index) and a copy of
# its source (pypfopt/ is not on the package index). bench/peers/portfolio.py imports it from there
# (KERNELBUS_PFO_SRC on sys.path).
#
#   bash scripts/setup-pfo.sh
#   /opt/pfo-venv/bin/python bench/peers/portfolio.py --help
#
# Environment:
#   KERNELBUS_PFO_VENV    the venv (default /opt/pfo-venv)
#   KERNELBUS_PFO_SRC     where pypfopt/ is copied to (default /opt/pfo-src)
#   KERNELBUS_PFO_MIRROR  a bare git dir of github.com/robertmartin8/PyPortfolioOpt
#                         (default /work/.mirror/robertmartin8+PyPortfolioOpt/repo); or a clone
#   PYTHON                the python that creates the venv (default python3; needs >= 3.9)
set -euo pipefail

VENV="${KERNELBUS_PFO_VENV:-/opt/pfo-venv}"
SRC="${KERNELBUS_PFO_SRC:-/opt/pfo-src}"
MIRROR="${KERNELBUS_PFO_MIRROR:-/work/.mirror/robertmartin8+PyPortfolioOpt/repo}"
COMMIT="65cabce"
PY="${PYTHON:-python3}"
PACKAGES=(numpy pandas scipy cvxpy clarabel threadpoolctl)

# 1. The venv.
if [ ! -x "$VENV/bin/python" ]; then
  if ! "$PY" -m venv "$VENV" 2>/dev/null; then
    echo "setup-pfo: '$PY -m venv' failed; installing python3-venv" >&2
    apt-get update && apt-get install -y python3-venv
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
  fi
fi

# 2. The dependencies (PyPortfolioOpt's pyproject list, with CLARABEL, cvxpy's default QP solver).
missing=0
for mod in numpy pandas scipy cvxpy clarabel threadpoolctl; do
  "$VENV/bin/python" -c "import $mod" 2>/dev/null || { missing=1; break; }
done
if [ "$missing" = 1 ]; then
  "$VENV/bin/pip" install "${PACKAGES[@]}"
fi

# 3. The source copy, at the pinned commit.
if [ ! -f "$SRC/pypfopt/__init__.py" ]; then
  if [ -d "$MIRROR/objects" ] || [ -f "$MIRROR/HEAD" ]; then
    gitdir="$MIRROR"
  elif [ -d "$MIRROR/.git" ]; then
    gitdir="$MIRROR/.git"
  else
    echo "setup-pfo: no PyPortfolioOpt repository at $MIRROR (set KERNELBUS_PFO_MIRROR)" >&2
    exit 1
  fi
  mkdir -p "$SRC"
  git --git-dir="$gitdir" archive "$COMMIT" pypfopt pyproject.toml | tar -x -C "$SRC"
fi
grep -q '^version = "1.5.6"' "$SRC/pyproject.toml" || {
  echo "setup-pfo: $SRC/pypfopt is not PyPortfolioOpt 1.5.6" >&2
  exit 1
}

# 4. Check.
PYTHONPATH="$SRC" "$VENV/bin/python" -c "
import sys, cvxpy, clarabel, pypfopt
from pypfopt import EfficientFrontier, HRPOpt
assert 'CLARABEL' in cvxpy.installed_solvers(), cvxpy.installed_solvers()
print(f'setup-pfo: PyPortfolioOpt 1.5.6 ready (cvxpy {cvxpy.__version__}, clarabel {clarabel.__version__}), python {sys.executable}')
"
