"""Every page two links deep from each role's start, on the demo data, reads in Chinese: no
English word, no stored code shown as it is stored, no amount in another format than the
site's one, no space inside Chinese; no page fails and no link changes anything."""

import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from enterprises.models import Enterprise, User
from security.audit.chain import head, seal, verify
from tests.crawl import (
    amounts_in_another_format,
    codes_shown,
    crawl,
    hyphens_for_empty,
    page_kind,
    same_site_path,
    spaces_inside_chinese,
    stored_codes,
)

ROLES = {
    None: "/",
    "demo-enterprise": "/portal/",
    "demo-enterprise-2": "/portal/",
    "demo-district": "/admin/",
    "demo-municipal": "/admin/",
    "demo-finance": "/admin/",
    "demo-admin": "/admin/",
    "demo-security": "/admin/",
    "demo-auditor": "/admin/",
}


# --- The checks find what they must, and only that --------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "申请金额 1000000.00",
        "1000000元",
        "核定 12000万元",
        "12345.6 元",
        "Decimal('12.50')",
        "合计 1E+6",
    ],
)
def test_an_amount_in_another_format_is_found(text):
    assert amounts_in_another_format(text)


@pytest.mark.parametrize(
    "text",
    [
        "1,000,000.00元",
        "200万元（2,000,000.00元）",
        "2000万元",
        "给予100万元—2000万元支持",
        "1.5亿元",
        "999.99元",
        "1,500 家",
        "2026年度",
        "2026-01-05 09:30",
        "2026.01.05",
        "BF-2026-0002",
        "SB-2026-00012",
        "91500000MA5U7G2X3K",
        "023-63899999",
        "第 12 件",
        "营业执照.pdf · 2.1 MB",
        "127.0.0.1",
    ],
)
def test_amounts_written_the_sites_way_and_other_numbers_are_not(text):
    assert amounts_in_another_format(text) == []


def test_a_space_inside_chinese_is_found_and_around_latin_is_not():
    assert spaces_inside_chinese("以 办理范围") == ["以 办理范围"]
    assert spaces_inside_chinese("选择 工作人员 来修改")
    assert spaces_inside_chinese("每 天")
    assert spaces_inside_chinese("以 JSON 编码") == []
    assert spaces_inside_chinese("第 12 件") == []
    assert spaces_inside_chinese("申请\n    材料") == []
    assert spaces_inside_chinese("办理范围") == []
    assert spaces_inside_chinese("第1条 领军企业 · 2026年第一批 第10条 集成电路") == []
    assert spaces_inside_chinese("第1条 领军企业 拟支持")


def test_an_empty_value_written_as_a_hyphen_is_found():
    assert hyphens_for_empty('<td class="field-x">-</td>')
    assert hyphens_for_empty('<div class="readonly"> - </div>')
    assert hyphens_for_empty("<td>—</td><td>2026-01-05</td><td>BF-2026-0002</td>") == []
    assert hyphens_for_empty("<option>---------</option>") == []


def test_a_stored_code_is_found_as_a_word_of_its_own():
    codes = {"leading-enterprise", "ic-design"}
    assert codes_shown("赛道 leading-enterprise", codes) == ["leading-enterprise"]
    assert codes_shown("ic-design", codes) == ["ic-design"]
    assert codes_shown("领军企业", codes) == []
    assert codes_shown("/measures/1/leading-enterprise/", codes) == []
    assert codes_shown("demo-leading-enterprise", codes) == []


def test_links_the_crawl_follows_and_leaves():
    assert same_site_path("/admin/", "applications/") == "/admin/applications/"
    assert same_site_path("/admin/", "?o=1#top") == "/admin/?o=1"
    assert same_site_path("/", "http://testserver/portal/") == "/portal/"
    assert same_site_path("/", "https://www.gov.cn/") is None
    assert same_site_path("/", "#main") is None
    assert same_site_path("/", "mailto:a@example.com") is None
    assert same_site_path("/admin/", "/admin/logout/") is None
    assert same_site_path("/", "/i18n/setlang/") is None


def test_pages_of_one_kind_share_a_key():
    assert page_kind("/admin/applications/application/1/change/") == page_kind(
        "/admin/applications/application/2/change/"
    )
    assert page_kind("/admin/applications/application/?o=1") == page_kind(
        "/admin/applications/application/?o=-2"
    )
    assert page_kind("/admin/applications/application/?o=1") != page_kind(
        "/admin/applications/application/?q=a"
    )


# --- The crawl --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker, demo_media):
    """The demo data, made once for the module in a transaction rolled back at its end; each
    crawl runs in a savepoint inside it. Its audit records are sealed and verified here, once,
    not again by each crawl (audit_chain_holds)."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=demo_media),
        transaction.atomic(),
    ):
        start = head()
        call_command("seed_demo", verbosity=0)
        # Beat's schedules of each kind, as an administrator may add them: the demo's periodic
        # tasks run on crontabs alone.
        from django_celery_beat.models import ClockedSchedule, IntervalSchedule, SolarSchedule

        IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.DAYS)
        IntervalSchedule.objects.get_or_create(every=2, period=IntervalSchedule.HOURS)
        SolarSchedule.objects.get_or_create(event="sunrise", latitude=29.56, longitude=106.55)
        ClockedSchedule.objects.get_or_create(clocked_time=timezone.now())
        seal()
        result = verify(after=start)
        assert result.ok, f"the audit trail's chain breaks: {result.broken}"
        yield
        transaction.set_rollback(True)


@pytest.fixture
def media_root(settings, demo_media):
    """The demo's files, which the pages link to."""
    settings.MEDIA_ROOT = demo_media
    return demo_media


@pytest.fixture
def demo(demo_data, policy):
    pass


def _names_of_the_demo_data() -> set:
    """People's and enterprises' names in ASCII: names, not English to translate. Usernames
    whole (demo-district): the words of a name with hyphens are not searched on their own."""
    names = set(User.objects.values_list("username", flat=True))
    texts = [
        *User.objects.values_list("first_name", "last_name"),
        *Enterprise.objects.values_list("name"),
    ]
    for row in texts:
        for text in row:
            names.update(re.findall(r"[A-Za-z]+", text or ""))
    return names


@pytest.mark.parametrize("username", list(ROLES), ids=[u or "anonymous" for u in ROLES])
def test_every_page_two_links_deep_reads_in_chinese(demo, client, username):
    if username:
        client.force_login(User.objects.get(username=username))
    result = crawl(client, ROLES[username], allowed=_names_of_the_demo_data(), codes=stored_codes())
    assert result.pages > 1
    problems = [f"{url}: {status}" for url, status in result.errors]
    problems += [f"{url}: a link that changes {tables}" for url, tables in result.writes]
    problems += [str(finding) for finding in result.findings]
    assert problems == [], f"{result.pages} pages:\n" + "\n".join(problems)
