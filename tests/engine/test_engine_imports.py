"""DESIGN rule 1: the engine imports no Qt, and importing it does not even load torch yet."""

import subprocess
import sys


def run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout


def test_engine_imports_no_qt():
    out = run("import sys, desktopnn.engine as e; e.conv2d; e.explain_conv; e.load_image;"
              "import desktopnn.engine.convolution.lab, desktopnn.engine.convolution.padding, desktopnn.engine.convolution.kernels;"
              "print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in ('PySide6','shiboken6','pyqtgraph','superqt')}))")
    assert out.strip() == "[]"


def test_engine_package_import_is_lazy():
    out = run("import sys, desktopnn.engine; print('torch' in sys.modules)")
    assert out.strip() == "False"
