"""Prompt files: every shipped file loads and renders; bad files fail on load, naming the problem."""
from __future__ import annotations

from pathlib import Path

import pytest

from copilot.errors import BadRequest, ConfigError, NotFound
from copilot.prompts import PROMPTS_DIR, PromptLibrary, load_template

GOOD = """---
id: reply@{version}
version: {version}
task: reply
variables: [store_name, message]
model: {{temperature: 0.5, max_tokens: 100}}
---
## system
你是{{store_name}}的客服，价格写成 {{{{价格}}}}。

## user
{{message}}
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def shipped_templates():
    library = PromptLibrary.load()
    return [library.get(task, v) for task in library.tasks() for v in library.versions(task)]


def test_the_shipped_prompts_include_reply_and_escalation_reply():
    library = PromptLibrary.load()
    assert {"reply", "escalation_reply"} <= set(library.tasks())
    assert len(list(PROMPTS_DIR.glob("*.md"))) == len(shipped_templates())


@pytest.mark.parametrize("template", shipped_templates(), ids=lambda t: t.id)
def test_every_shipped_prompt_loads_and_renders(template):
    values = {name: f"<{name}-value>" for name in template.variables}
    messages = template.render(**values)
    assert messages[-1][0] == "user"
    rendered = "\n".join(text for _, text in messages)
    for name in template.variables:
        assert f"<{name}-value>" in rendered
    assert "{" not in rendered.replace("<", "").replace(">", "")
    assert template.id == f"{template.task}@{template.version}"


def test_the_reply_prompt_asks_for_grounded_cited_answers():
    reply = PromptLibrary.load().get("reply")
    assert {"store_name", "facts", "history", "message", "escalation_note"} == set(reply.variables)
    assert "亲" in reply.system and "[1]" in reply.system
    assert reply.params.temperature is not None and reply.params.max_tokens


def test_render_fills_placeholders_and_keeps_literal_braces(tmp_path):
    template = load_template(write(tmp_path, "reply@1.md", GOOD.format(version=1)))
    assert template.params.temperature == 0.5 and template.params.max_tokens == 100
    assert template.render(store_name="小鹿女装", message="在吗", unused="ignored") == [
        ("system", "你是小鹿女装的客服，价格写成 {价格}。"),
        ("user", "在吗"),
    ]


def test_a_missing_value_is_a_bad_request_naming_the_variable(tmp_path):
    template = load_template(write(tmp_path, "reply@1.md", GOOD.format(version=1)))
    with pytest.raises(BadRequest, match="'store_name'"):
        template.render(message="在吗")


def test_an_undeclared_placeholder_is_a_config_error_naming_file_and_variable(tmp_path):
    text = GOOD.format(version=1).replace("{message}", "{message}{order_id}")
    with pytest.raises(ConfigError, match=r"reply@1\.md.*order_id"):
        load_template(write(tmp_path, "reply@1.md", text))


def test_a_declared_but_unused_variable_is_a_config_error(tmp_path):
    text = GOOD.format(version=1).replace("[store_name, message]", "[store_name, message, facts]")
    with pytest.raises(ConfigError, match=r"reply@1\.md.*'facts'"):
        load_template(write(tmp_path, "reply@1.md", text))


@pytest.mark.parametrize(
    ("name", "change", "problem"),
    [
        ("reply.md", None, "<task>@<version>"),
        ("reply@2.md", None, "version"),
        ("reply@1.md", ("## user", "## customer"), "unknown section"),
        ("reply@1.md", ("## user\n{message}", ""), "no '## user'"),
        ("reply@1.md", ("temperature: 0.5", "temprature: 0.5"), "temprature"),
        ("reply@1.md", ("{message}", "{0}"), "plain variable name"),
        ("reply@1.md", ("{message}", "{message"), "braces"),
    ],
)
def test_bad_prompt_files_are_rejected_on_load(tmp_path, name, change, problem):
    text = GOOD.format(version=1)
    if change:
        text = text.replace(*change)
    with pytest.raises(ConfigError, match=problem) as err:
        load_template(write(tmp_path, name, text))
    assert name in str(err.value)


def test_the_library_picks_the_latest_version_unless_asked(tmp_path):
    write(tmp_path, "reply@1.md", GOOD.format(version=1))
    write(tmp_path, "reply@2.md", GOOD.format(version=2))
    library = PromptLibrary.load(tmp_path)
    assert library.versions("reply") == [1, 2]
    assert library.get("reply").id == "reply@2"
    assert library.get("reply", 1).id == "reply@1"
    with pytest.raises(NotFound, match="known versions: 1, 2"):
        library.get("reply", 3)
    with pytest.raises(NotFound, match="outfit_pitch"):
        library.get("outfit_pitch")
    with pytest.raises(ConfigError, match="does not exist"):
        PromptLibrary.load(tmp_path / "nowhere")
