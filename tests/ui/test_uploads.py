"""Hostile upload names through save_uploads, the function the web UI calls: every file lands in the corpus.

test_format.py checks safe_filename on its own; here the files are really saved, and the test proves
nothing was written anywhere but inside the corpus folder.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ui.web.documents import MAX_NAME_BYTES, save_uploads

MB = 1024 * 1024
LONG_STEM = "é" * 126  # 252 bytes: with ".md" the longest name Linux allows (255 bytes)


def tree(folder: Path, skip: Path) -> dict[str, str]:
    """Every entry under folder (symlinks not followed, skip excluded): path -> kind and content hash."""
    found: dict[str, str] = {}
    for current, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if Path(current, d) != skip]
        for name in dirs + files:
            path = Path(current, name)
            if path.is_symlink():
                found[str(path)] = f"link to {os.readlink(path)}"
            elif path.is_file():
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                found[str(path)] = "folder"
    return found


def test_hostile_upload_names_are_saved_inside_the_corpus_only(tmp_path: Path) -> None:
    corpus, incoming, outside = tmp_path / "corpus", tmp_path / "incoming", tmp_path / "outside"
    for folder in (corpus, incoming / "sub", incoming / "etc", outside):
        folder.mkdir(parents=True)
    (outside / "target.md").write_text("# Outside\n\nMust stay as it is.\n", "utf-8")
    (corpus / "linked.md").symlink_to(outside / "target.md")

    def upload(name: str, body: str) -> str:
        (incoming / name).write_text(f"# Upload\n\n{body}\n", "utf-8")
        return str(incoming / name)

    # name as the browser sent it -> (the upload path save_uploads gets, the name it must be saved under)
    cases = {
        "../evil.md": (str(incoming / "sub" / ".." / Path(upload("evil.md", "Dot-dot evil.")).name), "evil.md"),
        "/etc/passwd.md": (upload("etc/passwd.md", "Not the password file."), "passwd.md"),
        "..\\..\\win.md": (upload("..\\..\\win.md", "Windows separators."), "win.md"),
        "CON.md": (upload("CON.md", "A device name on Windows."), "_CON.md"),
        "nul.txt": (upload("nul.txt", "Another device name."), "_nul.txt"),
        "aux.md": (upload("aux.md", "Device name in lower case."), "_aux.md"),
        "fullwidth": (upload("..\uff0f..\uff0fevil.md", "Fullwidth solidus."), "evil (2).md"),
        "255 bytes": (upload(LONG_STEM + ".md", "A very long name."), None),
        "linked.md": (upload("linked.md", "Beside a link that leads out of the corpus."), "linked (2).md"),
    }
    refused = {
        "aux": upload("aux", "A device name and no extension."),
        "300 bytes": str(incoming / ("x" * 297 + ".md")),  # no system stores such a name: it cannot be read
    }
    before = tree(tmp_path, skip=corpus)

    saved = save_uploads(corpus, [path for path, _ in cases.values()] + list(refused.values()), False, MB)
    # Asked to overwrite the link's name: the link itself is replaced, its target outside is not written.
    replaced = save_uploads(corpus, [cases["linked.md"][0]], True, MB)

    assert len(saved.paths) == len(cases)
    root = corpus.resolve()
    for (given, (source, expected)), path in zip(cases.items(), saved.paths, strict=True):
        assert path.parent == corpus and path.resolve().is_relative_to(root), given
        assert not path.is_symlink() and path.read_bytes() == Path(source).read_bytes(), given
        if expected is not None:
            assert path.name == expected, given
    long_name = saved.paths[list(cases).index("255 bytes")].name
    assert long_name.endswith(".md") and long_name.startswith("é" * 10)
    assert len(long_name.encode()) <= MAX_NAME_BYTES

    reasons = {Path(f.source).name: f.error for f in saved.rejected}
    assert set(reasons) == {"aux", "x" * 297 + ".md"}
    assert "unsupported file type without an extension" in reasons["aux"]
    assert "could not be saved" in reasons["x" * 297 + ".md"]

    assert replaced.paths == [corpus / "linked.md"] and not replaced.rejected
    assert not (corpus / "linked.md").is_symlink()
    assert (corpus / "linked.md").read_bytes() == Path(cases["linked.md"][0]).read_bytes()

    # Nothing outside the corpus changed: not the linked file, not the folders above, no temporary files.
    assert tree(tmp_path, skip=corpus) == before
    assert (outside / "target.md").read_text("utf-8") == "# Outside\n\nMust stay as it is.\n"
    assert not Path("/etc/passwd.md").exists() and not Path("/win.md").exists()
    assert sorted(p.name for p in corpus.iterdir()) == sorted(p.name for p in [*saved.paths, *replaced.paths])
