"""The check that no English is left on a zh-hans page finds what it must, and only that."""

import pytest

from tests.zh_hans import english_on_page


@pytest.mark.parametrize(
    "html",
    [
        "<p>Can add log entry</p>",  # a permission Django's catalogue names in English
        "<th>MEASURE</th>",  # a field without a Chinese verbose name, as a column header
        "<h3>以 section</h3>",  # the same, as a filter's title
        "<p>After you’ve created a user, you’ll be able to edit more user options.</p>",
        '<img src="search.svg" alt="Search">',
        "<title>Error: 密码修改</title>",
        "<td>district_approve</td>",  # a stored code shown as it is stored
        "<td>submit</td>",
        '<img src="icon-yes.svg" alt="True">',
    ],
)
def test_english_is_found(html):
    assert english_on_page(html)


@pytest.mark.parametrize(
    "html",
    [
        "<p>营业执照.pdf · 2.1 MB</p>",
        "<td>user12@example.com</td>",
        "<td>demo-district</td>",
        "<td>91500000MA5U7G2X3K</td>",
        '<select><option value="Asia/Shanghai">Asia/Shanghai</option></select>',
        "<script>var measure = 1;</script><p>政策条款</p>",
        '<p>以 JSON 编码的关键字参数（例如：{"argument": "value"}）</p>',
        "<p>导出 CSV 或 XLSX</p>",
    ],
)
def test_names_codes_and_files_are_not_english_to_translate(html):
    assert english_on_page(html) == []


def test_a_username_that_is_an_english_word_may_be_allowed():
    assert english_on_page("<td>measure</td>")
    assert english_on_page("<td>measure</td>", allowed={"measure"}) == []
