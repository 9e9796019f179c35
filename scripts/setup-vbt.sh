#!/usr/bin/env bash
# (`npm run bench:peers`, scripts/bench-peers.sh, installs this peer with all the others in one venv outside
# the repository; the benches use that venv first, this one where it is missing.)
# Installs vectorbt 1.1.0 (commit f989752) as a peer for the backtest family, idempotently:
# a venv with its dependencies, and a copy of its source (vectorbt/ is not on the package index).
# scripts/vbt_env.py explains the setup and is how the peers import it.
#
#   bash scripts/setup-vbt.sh
#   /opt/vbt-venv/bin/python scripts/backtest-fixtures.py
#
# Environment:
#   KERNELBUS_VBT_VENV    the venv (default /opt/vbt-venv)
#   KERNELBUS_VBT_SRC     where vectorbt/ is copied to (default /opt/vbt-src)
#   KERNELBUS_VBT_MIRROR  a bare git dir of github.com/polakowo/vectorbt
#                         (default /work/.mirror/polakowo+vectorbt/repo); or a clone
#   PYTHON                the python that creates the venv (default python3; needs >= 3.11)
set -euo pipefail

VENV="${KERNELBUS_VBT_VENV:-/opt/vbt-venv}"
SRC="${KERNELBUS_VBT_SRC:-/opt/vbt-src}"
MIRROR="${KERNELBUS_VBT_MIRROR:-/work/.mirror/polakowo+vectorbt/repo}"
COMMIT="f989752"
PY="${PYTHON:-python3}"
PACKAGES=(numpy pandas scipy matplotlib plotly ipywidgets numba dill tqdm dateparser imageio
  scikit-learn requests pytz mypy_extensions)

# 1. The venv.
if [ ! -x "$VENV/bin/python" ]; then
  if ! "$PY" -m venv "$VENV" 2>/dev/null; then
    echo "setup-vbt: '$PY -m venv' failed; installing python3-venv" >&2
    apt-get update && apt-get install -y python3-venv
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
  fi
fi

# 2. The dependencies (vectorbt's pyproject list, less anywidget and schedule, which
#    scripts/vbt_env.py stubs).
missing=0
for mod in numpy pandas scipy matplotlib plotly ipywidgets numba dill tqdm dateparser imageio sklearn \
  requests pytz mypy_extensions; do
  "$VENV/bin/python" -c "import $mod" 2>/dev/null || { missing=1; break; }
done
if [ "$missing" = 1 ]; then
  "$VENV/bin/pip" install "${PACKAGES[@]}"
fi

# 3. The source copy, at the pinned commit.
if [ ! -f "$SRC/vectorbt/_version.py" ]; then
  if [ -d "$MIRROR/objects" ] || [ -f "$MIRROR/HEAD" ]; then
    gitdir="$MIRROR"
  elif [ -d "$MIRROR/.git" ]; then
    gitdir="$MIRROR/.git"
  else
    echo "setup-vbt: no vectorbt repository at $MIRROR (set KERNELBUS_VBT_MIRROR)" >&2
    exit 1
  fi
  mkdir -p "$SRC"
  # (a mirror that lacks some docs/ blobs prints "invalid object ... docs/..."; vectorbt/ is whole)
  git --git-dir="$gitdir" archive "$COMMIT" vectorbt | tar -x -C "$SRC"
fi
grep -q '__version__ = "1.1.0"' "$SRC/vectorbt/_version.py" || {
  echo "setup-vbt: $SRC/vectorbt is not vectorbt 1.1.0" >&2
  exit 1
}

# 4. plotly 7 dropped a trace type vectorbt's theme template names: skip invalid properties.
settings="$SRC/vectorbt/_settings.py"
if ! grep -q 'skip_invalid=True' "$settings"; then
  sed -i 's/go\.layout\.Template(self\["plotting"\]\["themes"\]\[theme\]\["template"\])/go.layout.Template(self["plotting"]["themes"][theme]["template"], skip_invalid=True)/' "$settings"
  grep -q 'skip_invalid=True' "$settings" || {
    echo "setup-vbt: could not patch register_template in $settings" >&2
    exit 1
  }
fi

# 5. Check.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KERNELBUS_VBT_SRC="$SRC" "$VENV/bin/python" -c "
import sys; sys.path.insert(0, '$here')
from vbt_env import VERSION, ENGINE
print(f'setup-vbt: vectorbt {VERSION} ready, engine {ENGINE}, python {sys.executable}')
"
