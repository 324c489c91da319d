"""Which files hold which kind of knowledge: suffixes per kind, names, merchant folders.

A merchant folder is read by its known names (`catalog.jsonl` or `catalog.csv`,
`faqs.jsonl` or `faqs.csv`, `policies.jsonl`, `policies/`); its eval set and
anything else beside them are left alone. A file named on its own must have a
name that says its kind.
"""
from __future__ import annotations

from pathlib import Path

from copilot.errors import BadRequest
from knowledge.records import Kind

JSONL_SUFFIXES = (".jsonl", ".ndjson")
MARKDOWN_SUFFIXES = (".md", ".markdown")
SUFFIXES: dict[Kind, tuple[str, ...]] = {
    "sku": (*JSONL_SUFFIXES, ".csv"),
    "policy": (*MARKDOWN_SUFFIXES, *JSONL_SUFFIXES),
    "faq": (".csv", *JSONL_SUFFIXES),
}
# a file's name (lower-cased) starting with one of these says its kind
NAME_PREFIXES: dict[Kind, tuple[str, ...]] = {
    "sku": ("catalog", "product", "sku", "商品"),
    "policy": ("polic", "政策"),
    "faq": ("faq", "问答"),
}
POLICY_DIR = "policies"
EVAL_PREFIX = "eval"
# the files a merchant folder is read from, the preferred one first
FOLDER_FILES: dict[Kind, tuple[str, ...]] = {
    "sku": ("catalog.jsonl", "catalog.csv"),
    "policy": ("policies.jsonl",),
    "faq": ("faqs.jsonl", "faqs.csv"),
}
UNDERSTOOD = (
    "catalog.jsonl or catalog.csv (products), policies/*.md, *.md or policies.jsonl "
    "(store policies), faqs.csv or faqs.jsonl (FAQ replies), or a merchant folder "
    "holding them"
)


def guess_kind(path: Path) -> Kind:
    """The kind of knowledge a file holds, from its name, suffix and folder."""
    stem, suffix = path.stem.lower(), path.suffix.lower()
    if stem.startswith(EVAL_PREFIX):
        raise BadRequest(f"{path} is an eval set, not merchant knowledge; "
                         "run it with `copilot eval`")
    kind: Kind | None = next(
        (k for k, prefixes in NAME_PREFIXES.items() if stem.startswith(prefixes)), None)
    if path.parent.name == POLICY_DIR or (kind is None and suffix in MARKDOWN_SUFFIXES):
        kind = "policy"
    if kind is None or suffix not in SUFFIXES[kind]:
        raise BadRequest(f"cannot tell what {path} holds; knowledge files are {UNDERSTOOD}")
    return kind


def files_in(paths: list[Path]) -> list[tuple[Kind, Path]]:
    """Each knowledge file the paths name, with its kind; folders are expanded."""
    found: list[tuple[Kind, Path]] = []
    for path in paths:
        if path.is_dir():
            found.extend(_folder(path))
        elif path.is_file():
            found.append((guess_kind(path), path))
        else:
            raise BadRequest(f"{path} does not exist; give {UNDERSTOOD}")
    return found


def _folder(folder: Path) -> list[tuple[Kind, Path]]:
    if folder.name == POLICY_DIR:
        return _policy_folder(folder)
    found: list[tuple[Kind, Path]] = []
    for kind, names in FOLDER_FILES.items():
        present = [folder / name for name in names if (folder / name).is_file()]
        if present:
            found.append((kind, present[0]))
    if (folder / POLICY_DIR).is_dir():
        found.extend(_policy_folder(folder / POLICY_DIR))
    if not found:
        raise BadRequest(f"{folder} holds no knowledge files; expected {UNDERSTOOD}")
    return found


def _policy_folder(folder: Path) -> list[tuple[Kind, Path]]:
    found: list[tuple[Kind, Path]] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        if path.suffix.lower() not in SUFFIXES["policy"]:
            raise BadRequest(f"{path} is not a policy file; policies are Markdown (.md) "
                             "or JSONL (.jsonl), one policy per Markdown file")
        found.append(("policy", path))
    return found
