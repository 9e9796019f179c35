"""vectorbt 1.1.0 as a peer: one place that makes `import vectorbt` work on this machine.

vectorbt is the anchor of the backtest family (issue: vectorized backtest equal to vectorbt 1.1.0):
scripts/backtest-fixtures.py and bench/peers/vectorbt_backtest.py import it through this module,
never directly. vectorbt is not installed from the package index: its source (commit f989752,
version 1.1.0) is copied out of a mirror of github.com/polakowo/vectorbt.

Install (scripts/setup-vbt.sh does all of this, idempotently; venv path from KERNELBUS_VBT_VENV,
default /opt/vbt-venv; source path from KERNELBUS_VBT_SRC, default /opt/vbt-src):

    python3 -m venv /opt/vbt-venv        # Debian: apt-get install -y python3-venv first if missing
    /opt/vbt-venv/bin/pip install numpy pandas scipy matplotlib plotly ipywidgets numba dill tqdm \
        dateparser imageio scikit-learn requests pytz mypy_extensions
    mkdir -p /opt/vbt-src
    git --git-dir=<mirror>/polakowo+vectorbt/repo archive f989752 vectorbt | tar -x -C /opt/vbt-src
    # plotly 7 dropped a trace type vectorbt's theme names: in the COPY's vectorbt/_settings.py,
    # register_template passes skip_invalid=True to go.layout.Template(...)

Versions this was built with: Python 3.11.7, numpy 2.4.6, pandas 3.0.6, numba 0.68.0, plotly 7.1.0.

Run the peers with the venv's python; this module puts the source copy on sys.path itself:

    /opt/vbt-venv/bin/python scripts/backtest-fixtures.py

Two of vectorbt's declared dependencies are not installed and are stubbed in sys.modules before the
import: `anywidget` (only plotly's FigureWidget wants it) and `schedule` (only
vectorbt.utils.schedule_ / data updaters use it: Scheduler, Job, CancelJob).

The engine is forced to numba (`settings['engine'] = 'numba'`, see vectorbt/_engine.py
resolve_engine): vectorbt 1.1.0 would pick its Rust engine under 'auto' if `vectorbt_rust` were
installed; it is not, and forcing numba makes that explicit. ENGINE names the engine that ran.
"""

import os
import sys
import types

VBT_SRC = os.environ.get("KERNELBUS_VBT_SRC", "/opt/vbt-src")
VBT_COMMIT = "f989752"


def _stub_modules() -> None:
    if "anywidget" not in sys.modules:
        try:
            import anywidget  # noqa: F401
        except ImportError:
            aw = types.ModuleType("anywidget")

            class AnyWidget:  # noqa: D401 - a stand-in, never instantiated here
                """Stand-in for anywidget.AnyWidget."""

            aw.AnyWidget = AnyWidget
            sys.modules["anywidget"] = aw
    if "schedule" not in sys.modules:
        try:
            import schedule  # noqa: F401
        except ImportError:
            sch = types.ModuleType("schedule")

            class Scheduler:
                """Stand-in for schedule.Scheduler."""

                def __init__(self, *args, **kwargs):
                    self.jobs = []

            class Job:
                """Stand-in for schedule.Job."""

                def __init__(self, *args, **kwargs):
                    pass

            class CancelJob(Exception):
                """Stand-in for schedule.CancelJob."""

            sch.Scheduler = Scheduler
            sch.Job = Job
            sch.CancelJob = CancelJob
            sys.modules["schedule"] = sch


_stub_modules()
if os.path.isdir(os.path.join(VBT_SRC, "vectorbt")) and VBT_SRC not in sys.path:
    sys.path.insert(0, VBT_SRC)

import vectorbt as vbt  # noqa: E402
from vectorbt._engine import resolve_engine  # noqa: E402

vbt.settings["engine"] = "numba"
ENGINE = resolve_engine()
VERSION = vbt.__version__

__all__ = ["vbt", "ENGINE", "VERSION", "VBT_COMMIT", "VBT_SRC"]
