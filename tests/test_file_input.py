"""A file input reads in the site's words (选择文件 / 未选择文件), not the browser's "Choose File /
No file chosen": a static script, its words given by the template, no inline script."""

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from policy_portal import roles
from tests.enterprises.factories import UserFactory

SCRIPT = re.compile(r'<script src="[^"]*js/file_input\.js"[^>]*>')


def _script_tag(html: str) -> str:
    (tag,) = SCRIPT.findall(html)
    return tag


def test_the_public_pages_load_the_file_input_script_with_chinese_words(client, policy):
    tag = _script_tag(client.get(reverse("measures:catalogue")).content.decode())

    assert 'data-choose="选择文件"' in tag and 'data-none="未选择文件"' in tag
    assert "defer" in tag


def test_the_admin_loads_it_too(client, policy):
    client.force_login(UserFactory(is_staff=True, roles=[roles.ADMINISTRATOR]))

    tag = _script_tag(client.get(reverse("admin:index")).content.decode())

    assert 'data-choose="选择文件"' in tag


def test_the_script_keeps_the_input_focusable_and_writes_no_words_of_its_own():
    source = next(
        Path(directory, "js", "file_input.js").read_text(encoding="utf-8")
        for directory in settings.STATICFILES_DIRS
        if Path(directory, "js", "file_input.js").exists()
    )

    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("//"))
    assert "Choose" not in code and 'textContent = "' not in code
    assert "htmlFor" in code and "aria-live" in code
    assert "tabindex" not in code.lower() and 'display = "none"' not in code
