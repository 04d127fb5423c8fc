"""The documentation keeps up with the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from roastctl.config import ServerConfig
from roastctl.hottop.protocol import CONTROL_PREFIX, ControlFrame, StatusFrame

ROOT = Path(__file__).resolve().parents[1]

#: The config sections: every ServerConfig field that is itself a settings model.
SECTIONS: dict[str, type[BaseModel]] = {
    name: field.annotation
    for name, field in ServerConfig.model_fields.items()
    if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
}


def test_the_sections_are_found() -> None:
    assert {"hardware", "tracker", "simulator", "safety", "store", "auth"} <= set(SECTIONS)


@pytest.mark.parametrize("section", [*SECTIONS.values(), ServerConfig])
def test_every_config_key_is_documented(section: type[BaseModel]) -> None:
    text = (ROOT / "docs" / "configuration.md").read_text()
    if section is not ServerConfig:
        heading = next(name for name, model in SECTIONS.items() if model is section)
        assert f"## `[{heading}]`" in text, f"[{heading}] has no section in the docs"
    for name in section.model_fields:
        if section is ServerConfig and name in SECTIONS:
            continue
        assert f"| `{name}` |" in text, f"{section.__name__}.{name} is not in docs/configuration.md"


def test_readme_quick_start_has_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text()
    assert "roastctl demo" in text
    assert "roastctl simulate" in text
    assert 'pip install -e ".[dev]"' in text
    assert "pytest" in text


# --------------------------------------------------------------------- cited documents
#: Where the code, the tests, the benchmarks and the README may name a document.
CITING_ROOTS = ("src", "tests", "benchmarks")
CITING_SUFFIXES = frozenset({".py", ".md", ".html", ".js", ".css", ".toml"})
#: ``docs/<name>.md`` as a path of its own: ``../shared/docs/<name>.md`` is not the repository's.
DOC_REFERENCE = re.compile(r"(?<![\w./-])docs/([\w-]+)\.md")
SECTION_CITATION = re.compile(r"§(\d+(?:\.\d+)*)")
#: A markdown heading that starts with a section number: ``## 2. Title`` or ``### 2.1 Title``.
NUMBERED_HEADING = re.compile(r"^#{1,6}\s+(\d+(?:\.\d+)*)\.?\s", re.MULTILINE)
#: A whole frame written out as 36 hex bytes on a line of its own.
HEX_FRAME_LINE = re.compile(r"^((?:[0-9A-F]{2} ){35}[0-9A-F]{2})$", re.MULTILINE)


def citing_files() -> list[Path]:
    """Return README.md and the text files under src/, tests/ and benchmarks/, sorted."""
    found = [ROOT / "README.md"]
    for top in CITING_ROOTS:
        found += (
            path
            for path in (ROOT / top).rglob("*")
            if path.is_file() and path.suffix in CITING_SUFFIXES and "__pycache__" not in path.parts
        )
    return sorted(found)


def cited_documents() -> dict[str, list[str]]:
    """Return each ``docs/<name>.md`` named anywhere, with where: ``{name: ["file:line", ...]}``."""
    cited: dict[str, list[str]] = {}
    for path in citing_files():
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for name in DOC_REFERENCE.findall(line):
                cited.setdefault(name, []).append(f"{path.relative_to(ROOT)}:{number}")
    return cited


def section_citations() -> list[tuple[str, str, str]]:
    """Return every section citation as ``(document name, section, "file:line")``.

    The rule: a ``§N`` or ``§N.M`` belongs to the document named on its own line; failing that,
    to the one document its file names (a module or test docstring that names the document once
    and cites its sections below). A citation in a file that names no document, or several
    but none on the citing line, is returned with an empty document name: it points nowhere.
    """
    citations: list[tuple[str, str, str]] = []
    for path in citing_files():
        lines = path.read_text().splitlines()
        named = {name for line in lines for name in DOC_REFERENCE.findall(line)}
        file_document = next(iter(named)) if len(named) == 1 else ""
        for number, line in enumerate(lines, start=1):
            on_line = DOC_REFERENCE.findall(line)
            document = on_line[0] if len(on_line) == 1 else file_document
            where = f"{path.relative_to(ROOT)}:{number}"
            citations += ((document, section, where) for section in SECTION_CITATION.findall(line))
    return citations


def numbered_headings(name: str) -> set[str]:
    """Return the section numbers of ``docs/<name>.md``'s headings, e.g. ``{"2", "2.1"}``."""
    return set(NUMBERED_HEADING.findall((ROOT / "docs" / f"{name}.md").read_text()))


def test_the_scan_finds_the_citations_it_checks() -> None:
    # Guards the regular expressions: a scan that finds nothing would pass every test below.
    assert {"configuration", "safety", "hottop-protocol"} <= set(cited_documents())
    assert any(section == "6.1" for _, section, _ in section_citations())


def test_every_cited_document_exists() -> None:
    missing = {
        f"docs/{name}.md": places
        for name, places in cited_documents().items()
        if not (ROOT / "docs" / f"{name}.md").is_file()
    }
    assert not missing, f"documents named but not in docs/: {missing}"


def test_every_cited_section_is_a_heading_of_its_document() -> None:
    """Every ``§N`` or ``§N.M`` in the scanned files is a numbered heading of its document.

    The rule (:func:`section_citations`): a citation belongs to the ``docs/<name>.md`` named on
    its own line, else to the one document its file names; a file that names none, or several and
    none on the citing line, fails. ``§N.M`` must match a heading ``### N.M ...``, ``§N`` one
    ``## N. ...``. Whether the section says what the citing line says is for a reviewer.
    """
    unattributed = [where for document, _, where in section_citations() if not document]
    assert not unattributed, (
        f"§ cited with no document to refer to at {unattributed}: name docs/<name>.md on the "
        "line or once in the file"
    )
    wrong = [
        f"{where}: §{section} is not a heading of docs/{document}.md"
        for document, section, where in section_citations()
        if not (ROOT / "docs" / f"{document}.md").is_file()
        or section not in numbered_headings(document)
    ]
    assert not wrong, "\n".join(wrong)


def test_the_hottop_worked_examples_are_valid_frames() -> None:
    """Every 36-byte hex line in docs/hottop-protocol.md decodes, so a typo there cannot stand."""
    text = (ROOT / "docs" / "hottop-protocol.md").read_text()
    frames = [bytes.fromhex(line) for line in HEX_FRAME_LINE.findall(text)]
    assert len(frames) >= 3, "docs/hottop-protocol.md §6 lost its examples"
    for frame in frames:
        if frame.startswith(CONTROL_PREFIX):
            ControlFrame.decode(frame)
        else:
            StatusFrame.decode(frame)
