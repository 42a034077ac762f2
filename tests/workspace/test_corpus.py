"""Every broken workspace under corpus/ fails validation with exactly its expected diagnostics.

Each case file starts with `# expect: [FILE:]LINE:COL: field.path: message substring`
lines (FILE, when given, is the basename of an included file). The CLI must
exit 1, print each expected diagnostic, print nothing else, and never crash.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import cli

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(CORPUS.glob("*.yaml"))
_EXPECT = re.compile(
    r"^# expect: (?:(?P<file>[\w.\-]+\.yaml):)?(?P<line>\d+):(?P<col>\d+): (?P<rest>.*)$"
)
_DIAGNOSTIC = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<rest>.*)$")


def _expectations(case: Path) -> list[tuple[str, int, int, str, str]]:
    found = []
    for line in case.read_text(encoding="utf-8").splitlines():
        match = _EXPECT.match(line)
        if match:
            path, _, message = match.group("rest").partition(": ")
            file = match.group("file") or case.name
            found.append((file, int(match.group("line")), int(match.group("col")), path, message))
    return found


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert all(_expectations(case) for case in CASES), "every case needs an expect line"


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_broken_workspace(case: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", "-f", str(case)])
    output = result.output
    assert result.exit_code == 1, output
    assert "Traceback" not in output and "Internal error" not in output, output
    diagnostics = [m for m in map(_DIAGNOSTIC.match, output.splitlines()) if m]
    expected = _expectations(case)
    for file, line, col, path, message in expected:
        hits = [
            d
            for d in diagnostics
            if Path(d.group("file")).name == file
            and (int(d.group("line")), int(d.group("col"))) == (line, col)
            and d.group("rest").startswith(f"{path}: ")
            and message in d.group("rest")
        ]
        assert hits, f"expected {file}:{line}:{col}: {path}: …{message}… in\n{output}"
    assert len(diagnostics) == len(expected), output
