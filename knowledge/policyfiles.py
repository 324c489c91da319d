"""One Markdown policy file to one row: optional YAML front matter, else names from the file.

Without front matter (or without those keys) the file name without its suffix is
the `policy_id` and the first heading is the title; `applies_to` absent, empty or
null means the whole store.
"""
from __future__ import annotations

import re
from pathlib import PurePath

import frontmatter
import yaml

from copilot.errors import InputProblem
from knowledge.records import ID_PATTERN
from knowledge.rows import Row
from knowledge.textfiles import TextFile

_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_KEY = re.compile(r"^([^\s:#][^:]*):")
_HANDLER = frontmatter.YAMLHandler()


def policy_rows(tf: TextFile) -> tuple[list[Row], list[InputProblem]]:
    """The file's one policy (or none, when its front matter cannot be read)."""
    meta: dict = {}
    key_lines: dict[str, int] = {}
    content = tf.text
    if _HANDLER.detect(tf.text):
        try:
            head, content = _HANDLER.split(tf.text)
        except ValueError:
            return [], [_problem(tf, 1, "front matter opened by '---' on line 1 is never "
                                 "closed; add a '---' line after its last key",
                                 "第 1 行用 '---' 开始的文件头（front matter）没有结束；"
                                 "请在它最后一个键的下一行加一行 '---'")]
        try:
            loaded = _HANDLER.load(head)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 if mark is not None else 1
            return [], [_problem(tf, line, f"front matter is not valid YAML "
                                 f"({getattr(error, 'problem', None) or error}); write one "
                                 "`key: value` per line, lists as [a, b]",
                                 "文件头（front matter）不是有效的 YAML；请每行写一个 `键: 值`，"
                                 "列表写成 [a, b]")]
        if loaded is not None and not isinstance(loaded, dict):
            return [], [_problem(tf, 1, "front matter must be `key: value` lines "
                                 "(policy_id, title, applies_to)",
                                 "文件头（front matter）必须是 `键: 值` 形式的行"
                                 "（policy_id、title、applies_to）")]
        meta = loaded or {}
        key_lines = {m.group(1).strip(): number + 1
                     for number, text in enumerate(head.split("\n"))
                     if (m := _KEY.match(text))}
    body = content.strip()
    if body:   # the line the body starts on, for problems inside it
        key_lines["body"] = tf.text[:tf.text.rfind(body)].count("\n") + 1
    fields = {**meta, "body": body}
    fields["applies_to"] = meta.get("applies_to") or []
    problems: list[InputProblem] = []
    if not meta.get("policy_id"):
        fields["policy_id"] = PurePath(tf.name).stem
        if not re.fullmatch(ID_PATTERN, fields["policy_id"]):
            problems.append(_problem(tf, 1, f"the file name gives the policy_id "
                                     f"{fields['policy_id']!r}, which is not a valid id; add "
                                     "`policy_id: ...` (ASCII letters, digits, _.:-) front "
                                     "matter or rename the file",
                                     f"由文件名得到的编号 policy_id {fields['policy_id']!r} 不是有效的编号；"
                                     "请在文件头加一行 `policy_id: ...`（英文字母、数字或 _.:-），"
                                     "或给文件改名", field="policy_id"))
    if not meta.get("title"):
        heading = _HEADING.search(body)
        if heading:
            fields["title"] = heading.group(1)
        else:
            problems.append(_problem(tf, 1, "policy has no title; add `title: ...` front "
                                     "matter or a `# 标题` heading line",
                                     "政策没有标题；请在文件头加一行 `title: ...`，"
                                     "或在正文加一行 `# 标题`", field="title"))
    return [Row(1, fields, key_lines)], problems


def _problem(tf: TextFile, line: int, message: str, message_zh: str, *,
             field: str | None = None) -> InputProblem:
    return InputProblem(tf.name, line, field, message, message_zh)
