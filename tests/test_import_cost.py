"""``import pidkit`` (in a user's process, and in every joblib worker that solves a chunk of
:func:`pidkit.bertschinger_batch` or a bootstrap) loads no module that only some calls need."""

import subprocess
import sys


def test_import_pidkit_leaves_the_optional_heavy_modules_unloaded():
    heavy = ("scipy.optimize", "sklearn", "cvxpy", "pandas", "torch")
    code = f"import sys, pidkit; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          check=True)
    # scipy.optimize (0.2 s of the 0.5 s import) is loaded by the gh/prec LP and the Gaussian
    # bias correction when they run, not by every worker a parallel batch starts
    assert done.stdout.strip() == "[]"
