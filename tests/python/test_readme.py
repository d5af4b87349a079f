"""README's Python examples run as written, from the checkout's root."""
import re
import subprocess
import sys

import pytest

from conftest import ROOT


def python_examples():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_readme_has_the_examples():
    assert len(python_examples()) == 2


@pytest.mark.parametrize("index, expected", [(0, r"nose at \(\d+, \d+\) px"),
                                             (1, r"\(99, 156\) \(99, 78\)")])
def test_an_example_runs(index, expected):
    result = subprocess.run([sys.executable, "-c", python_examples()[index]], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert re.search(expected, result.stdout), result.stdout
