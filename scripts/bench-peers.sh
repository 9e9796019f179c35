#!/usr/bin/env bash
# `npm run bench:peers`: installs every peer the benches time in the same run (issue 71), outside the
# repository, idempotently, so anyone can reproduce every ratio of bench/results:
# - a Python venv with the pinned peers: numpy, pandas, polars, pyarrow, scikit-learn, scipy, numba,
#   PyPortfolioOpt's dependencies (cvxpy, CLARABEL), arch 8.0.0 and vectorbt 1.1.0's dependencies;
# - the sources that are not on the package index, copied out of git mirrors at pinned commits:
#   vectorbt 1.1.0 (f989752), PyPortfolioOpt 1.5.6 (65cabce), mlfinlab's 2020 bar code (1d26d6d4) and
#   its labeling modules of 26 June 2020 (fb8e1504: the list of scripts/labeling-fixtures/generate.py);
#   the venv finds vectorbt and pypfopt through a .pth file, bench/peers/features.py and
#   bench/peers/labeling.py mlfinlab by path (the folders mlfinlab2020 and mlfinlab-labeling of <dir>/src);
# - the JavaScript peers of the indicators (technicalindicators, trading-signals) from npm;
# - TA-Lib C's driver (scripts/talib-fixtures/generate.sh build).
# toraniko is installed when the package index has it; the factor rows say "peer not measured" otherwise.
# The benches find everything here through bench/peer-env.ts. Prints what it installed (and writes it
# to <dir>/installed.txt).
#
#   npm run bench:peers
#   PIP_INDEX_URL=file:///opt/pypi/simple npm run bench:peers     # a local mirror of the package index
#
# Environment:
#   KERNELBUS_PEERS_DIR       where everything goes (default $HOME/.cache/kernelbus/peers): venv/,
#                             src/, js/, talib/
#   KERNELBUS_VBT_MIRROR      a git dir of vectorbt (default /work/.mirror/polakowo+vectorbt/repo)
#   KERNELBUS_PFO_MIRROR      a git dir of PyPortfolioOpt (default /work/.mirror/robertmartin8+PyPortfolioOpt/repo)
#   KERNELBUS_MLFINLAB_MIRROR a git dir of mlfinlab with its 2020 history
#                             (default /work/.mirror/hudson-and-thames+mlfinlab/repo)
#   PYTHON                    the python that creates the venv (default python3; needs >= 3.11)
#   PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, npm's own config: honored as pip and npm honor them
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
DIR="${KERNELBUS_PEERS_DIR:-$HOME/.cache/kernelbus/peers}"
case "$(cd "$(dirname "$DIR")" 2>/dev/null && pwd)/" in
  "$root"/*) echo "bench-peers: $DIR is inside the repository; set KERNELBUS_PEERS_DIR elsewhere" >&2; exit 1 ;;
esac
VENV="$DIR/venv"
SRC="$DIR/src"
PY="${PYTHON:-python3}"
mkdir -p "$DIR" "$SRC"

# The pins: what bench/results was measured with.
PIP_PINS=(
  numpy==2.4.6 pandas==3.0.6 polars==1.44.2 pyarrow==25.0.1 scipy==1.17.1 scikit-learn==1.9.1
  threadpoolctl==3.7.0 numba==0.68.0 cvxpy==1.9.3 clarabel==0.11.1 arch==8.0.0
  # vectorbt 1.1.0's own list (less anywidget and schedule, which scripts/vbt_env.py stubs)
  matplotlib plotly==7.1.0 ipywidgets dill tqdm dateparser imageio requests pytz mypy_extensions
)
JS_PINS=(technicalindicators@3.1.0 trading-signals@8.3.0)
VBT_COMMIT=f989752
PFO_COMMIT=65cabce
MLFINLAB_COMMIT=1d26d6d4
MLFINLAB_LABELING_COMMIT=fb8e1504
# mlfinlab fb8e1504's labeling, sample-weight, fracdiff and fold modules (scripts/labeling-fixtures/generate.py's list)
MLFINLAB_LABELING_MODULES=(
  labeling/labeling labeling/trend_scanning labeling/fixed_time_horizon filters/filters util/volatility
  util/multiprocess sampling/concurrent sampling/bootstrapping sample_weights/attribution features/fracdiff
  cross_validation/cross_validation cross_validation/combinatorial structural_breaks/sadf
)

say() { echo "bench-peers: $*" >&2; }

# A git dir (bare, or a clone's .git) from a mirror path, or nothing.
gitdir_of() {
  if [ -d "$1/objects" ] || [ -f "$1/HEAD" ]; then echo "$1"; elif [ -d "$1/.git" ]; then echo "$1/.git"; fi
}

# 1. The venv.
if [ ! -x "$VENV/bin/python" ]; then
  if ! "$PY" -m venv "$VENV" 2>/dev/null; then
    say "'$PY -m venv' failed; installing python3-venv"
    apt-get update && apt-get install -y python3-venv
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
  fi
fi
say "pip install into $VENV${PIP_INDEX_URL:+ (index $PIP_INDEX_URL)}"
# all at once; where that fails (a pin this package index lacks), one at a time, so that one missing
# peer (a mirror that lacks it) leaves the others installed and its rows say 'peer not measured'
if ! "$VENV/bin/pip" install --quiet --disable-pip-version-check "${PIP_PINS[@]}"; then
  skipped=()
  for pin in "${PIP_PINS[@]}"; do
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "$pin" 2>/dev/null || skipped+=("$pin")
  done
  [ ${#skipped[@]} -eq 0 ] || say "not installed (not on this package index?): ${skipped[*]}: their rows will say 'peer not measured'"
fi
if ! "$VENV/bin/pip" install --quiet --disable-pip-version-check toraniko 2>/dev/null; then
  say "toraniko is not on this package index: the factor rows will say 'peer not measured'"
fi

# 2. The sources not on the package index, at their pinned commits.
copy_source() { # name mirror commit dest paths...
  local name="$1" mirror="$2" commit="$3" dest="$4"
  shift 4
  local gitdir
  gitdir="$(gitdir_of "$mirror")"
  if [ -z "$gitdir" ]; then
    say "no $name repository at $mirror: its peer rows will say 'peer not measured'"
    return 1
  fi
  mkdir -p "$dest"
  # (a partial mirror prints "invalid object" for blobs outside the paths; the paths are whole)
  git --git-dir="$gitdir" archive "$commit" "$@" | tar -x -C "$dest"
}
if [ ! -f "$SRC/vectorbt/vectorbt/_version.py" ]; then
  copy_source vectorbt "${KERNELBUS_VBT_MIRROR:-/work/.mirror/polakowo+vectorbt/repo}" "$VBT_COMMIT" "$SRC/vectorbt" vectorbt || true
fi
if [ -f "$SRC/vectorbt/vectorbt/_settings.py" ] && ! grep -q 'skip_invalid=True' "$SRC/vectorbt/vectorbt/_settings.py"; then
  # plotly 7 dropped a trace type vectorbt's theme template names: skip invalid properties (as setup-vbt.sh)
  sed -i 's/go\.layout\.Template(self\["plotting"\]\["themes"\]\[theme\]\["template"\])/go.layout.Template(self["plotting"]["themes"][theme]["template"], skip_invalid=True)/' \
    "$SRC/vectorbt/vectorbt/_settings.py"
fi
if [ ! -f "$SRC/pypfopt/pypfopt/__init__.py" ]; then
  copy_source PyPortfolioOpt "${KERNELBUS_PFO_MIRROR:-/work/.mirror/robertmartin8+PyPortfolioOpt/repo}" "$PFO_COMMIT" \
    "$SRC/pypfopt" pypfopt pyproject.toml || true
fi
if [ ! -f "$SRC/mlfinlab2020/mlfinlab/data_structures/base_bars.py" ]; then
  copy_source mlfinlab "${KERNELBUS_MLFINLAB_MIRROR:-/work/.mirror/hudson-and-thames+mlfinlab/repo}" "$MLFINLAB_COMMIT" \
    "$SRC/mlfinlab2020" mlfinlab/data_structures/base_bars.py mlfinlab/data_structures/standard_data_structures.py \
    mlfinlab/data_structures/imbalance_data_structures.py mlfinlab/data_structures/run_data_structures.py \
    mlfinlab/data_structures/time_data_structures.py mlfinlab/util/fast_ewma.py || true
fi
if [ ! -f "$SRC/mlfinlab-labeling/mlfinlab/labeling/labeling.py" ]; then
  labeling_paths=()
  for m in "${MLFINLAB_LABELING_MODULES[@]}"; do labeling_paths+=("mlfinlab/$m.py"); done
  copy_source "mlfinlab (labeling)" "${KERNELBUS_MLFINLAB_MIRROR:-/work/.mirror/hudson-and-thames+mlfinlab/repo}" \
    "$MLFINLAB_LABELING_COMMIT" "$SRC/mlfinlab-labeling" "${labeling_paths[@]}" || true
fi
site="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
: >"$site/kernelbus-peers.pth"
for d in "$SRC/vectorbt" "$SRC/pypfopt"; do [ -d "$d" ] && echo "$d" >>"$site/kernelbus-peers.pth"; done

# 3. The JavaScript peers.
mkdir -p "$DIR/js"
[ -f "$DIR/js/package.json" ] || echo '{ "name": "kernelbus-bench-peers", "private": true }' >"$DIR/js/package.json"
say "npm install ${JS_PINS[*]} into $DIR/js"
(cd "$DIR/js" && npm install --silent --no-audit --no-fund --save-exact "${JS_PINS[@]}" >/dev/null)

# 4. TA-Lib C's driver (its C sources ship in the npm package talib).
mkdir -p "$DIR/talib"
TALIB_WORK="$DIR/talib" bash "$root/scripts/talib-fixtures/generate.sh" build >/dev/null

# 5. What is installed.
{
  echo "kernelbus bench peers in $DIR ($(date -u +%Y-%m-%dT%H:%MZ))"
  KERNELBUS_VBT_SRC="$SRC/vectorbt" PYTHONPATH="$here" "$VENV/bin/python" - "$SRC" <<'EOF'
import importlib, importlib.metadata as md, os, platform, sys
print(f"python {platform.python_version()} ({sys.executable})")
for dist in ["numpy", "pandas", "polars", "pyarrow", "scipy", "scikit-learn", "threadpoolctl", "numba", "cvxpy",
             "clarabel", "arch", "toraniko"]:
    try:
        print(f"{dist} {md.version(dist)}")
    except md.PackageNotFoundError:
        print(f"{dist}: not installed")
src = sys.argv[1]
try:
    import vbt_env
    print(f"vectorbt {vbt_env.VERSION} ({vbt_env.VBT_COMMIT}, source copy, engine {vbt_env.ENGINE})")
except Exception as e:  # noqa: BLE001
    print(f"vectorbt: not importable ({type(e).__name__}: {e})")
try:
    import pypfopt  # noqa: F401
    print("PyPortfolioOpt 1.5.6 (65cabce, source copy)")
except Exception as e:  # noqa: BLE001
    print(f"PyPortfolioOpt: not importable ({type(e).__name__}: {e})")
ok = os.path.exists(os.path.join(src, "mlfinlab2020", "mlfinlab", "data_structures", "base_bars.py"))
print("mlfinlab 1d26d6d4 (2020 bar code, source copy)" if ok else "mlfinlab: not copied")
ok = os.path.exists(os.path.join(src, "mlfinlab-labeling", "mlfinlab", "labeling", "labeling.py"))
print("mlfinlab fb8e1504 (2020 labeling modules, source copy)" if ok else "mlfinlab labeling: not copied")
EOF
  for p in technicalindicators trading-signals; do
    v="$(node -p "require('$DIR/js/node_modules/$p/package.json').version" 2>/dev/null || echo 'not installed')"
    echo "$p $v"
  done
  [ -x "$DIR/talib/driver" ] && echo "TA-Lib C 0.6.0-dev (npm talib@2.0.5's sources): $DIR/talib/driver" || echo "TA-Lib C: not built"
} | tee "$DIR/installed.txt"
