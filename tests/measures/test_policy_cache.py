"""The public pages and the API are cached per version of the policy data: served without a
query while nothing changes, and never stale once it does."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from measures.cache import policy_version
from measures.fragments import CSRF_TOKEN_HOLE, FULL_PATH_HOLE
from measures.models import ApplicationWindow, Measure, PolicyVersion, Track
from measures.services import policy_load, policy_version_bump
from tests.measures.test_admin import admin_url, form_data
from tests.notifications.factories import NotificationFactory

QUOTE_2 = {
    "track": "supply-chain",
    "declared": {"annual_purchase_amount": "300000000", "new_purchase_amount": "900000000"},
}


def quote_2(client):
    return client.post("/api/measures/2/quote/", QUOTE_2, content_type="application/json")


def cap_shown(client) -> tuple[str, str, str]:
    """Track 2's cap as the measure page, the API and a quote give it."""
    page = client.get("/measures/2/").content.decode()
    api = client.get("/api/measures/2/").json()["tracks"][0]["rule"]["cap"]
    amount = quote_2(client).json()["amount"]
    return ("最高 250万元" in page and "250" or "最高 200万元" in page and "200"), api, amount


def warm(client, *urls):
    for url in urls:
        assert client.get(url).status_code == 200


# ── an edited rule shows at once ───────────────────────────────────────────────────────────


def test_a_cap_edited_in_the_admin_shows_at_once_on_the_page_the_api_and_the_quote(
    admin_client, track
):
    anonymous = Client()
    assert cap_shown(anonymous) == ("200", "2000000.00", "2000000.00")
    subject = track(2)
    url = admin_url(Track, "change", subject.pk)

    response = admin_client.post(url, form_data(admin_client.get(url)) | {"cap": "2500000"})

    assert response.status_code == 302
    assert cap_shown(anonymous) == ("250", "2500000.00", "2500000.00")


def test_a_cap_saved_on_the_model_shows_at_once(client, track):
    assert cap_shown(client) == ("200", "2000000.00", "2000000.00")
    subject = track(2)
    subject.cap = Decimal("2500000")

    subject.save()

    assert cap_shown(client) == ("250", "2500000.00", "2500000.00")


def test_a_rate_edit_changes_the_calculator_at_once(client, track):
    subject = track(2)
    before = client.post("/calculator/", {"track": subject.pk, **QUOTE_2["declared"]})
    assert "200万元" in before.content.decode()
    subject.rate = Decimal("0.002")
    subject.cap = None
    subject.save()

    after = client.post("/calculator/", {"track": subject.pk, **QUOTE_2["declared"]})

    assert "180万元" in after.content.decode()  # 0.2% of 9亿
    assert "按 0.2% 计算" in client.get(f"/calculator/?track={subject.pk}").content.decode()


def test_a_field_label_edit_shows_at_once(client, track):
    client.get("/measures/2/")
    field = track(2).fields.get(name="annual_purchase_amount")
    field.label = "年度累计采购总额"
    field.save()

    assert "年度累计采购总额" in client.get("/measures/2/").content.decode()


def test_a_retired_track_leaves_the_catalogue_and_the_quote_at_once(client, track):
    warm(client, "/", "/api/measures/")
    assert quote_2(client).status_code == 200
    subject = track(2)
    subject.is_active = False
    subject.save()

    assert "supply-chain" not in client.get("/api/measures/").content.decode()
    refused = quote_2(client)
    assert refused.status_code == 400
    assert "没有申报类别“supply-chain”" in refused.json()["track"][0]


# ── the version ────────────────────────────────────────────────────────────────────────────


def test_loading_the_policy_file_bumps_the_version(policy):
    before = policy_version()

    policy_load()

    assert policy_version() != before


def test_a_rolled_back_edit_changes_neither_the_version_nor_the_pages(client, track):
    before = PolicyVersion.objects.get().token
    assert cap_shown(client)[1] == "2000000.00"
    subject = track(2)

    with pytest.raises(RuntimeError), transaction.atomic():
        subject.cap = Decimal("2500000")
        subject.save()
        raise RuntimeError

    assert PolicyVersion.objects.get().token == before
    assert cap_shown(client) == ("200", "2000000.00", "2000000.00")


def test_the_cached_version_is_dropped_again_when_the_edit_commits(
    track, django_capture_on_commit_callbacks
):
    policy_version()
    subject = track(2)

    with django_capture_on_commit_callbacks() as callbacks:
        subject.cap = Decimal("2500000")
        subject.save()

    # A reader that read the token while the edit was in progress cached the old one.
    assert callbacks, "the cached read of the version is dropped on commit"


def test_a_flushed_cache_does_not_bring_an_old_version_back(client, track):
    from django.core.cache import cache

    from measures.cache import VERSION_KEY

    old = policy_version()
    subject = track(2)
    subject.cap = Decimal("2500000")
    subject.save()
    cache.delete(VERSION_KEY)

    assert policy_version() not in (old, None)
    assert cap_shown(client)[1] == "2500000.00"


# ── time: windows open and close without an edit ───────────────────────────────────────────


def test_a_window_that_opens_later_shows_open_once_it_has_opened(client, policy, monkeypatch):
    now = timezone.now()
    ApplicationWindow.objects.create(
        measure=Measure.objects.get(number=10),
        year=now.year,
        name="2026年第二批",
        opens_at=now + timedelta(hours=1),
        closes_at=now + timedelta(hours=2),
        total_budget=Decimal("10000000"),
    )

    def card():
        html = client.get("/").content.decode()
        return html.split('id="measure-10"')[1].split("</article>")[0]

    assert "暂未开放申报" in card()
    assert client.get("/api/measures/10/").json()["is_open"] is False

    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(hours=1, minutes=1))
    assert "申报中" in card()
    assert client.get("/api/measures/10/").json()["is_open"] is True

    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(hours=3))
    assert "暂未开放申报" in card()
    assert client.get("/api/measures/10/").json()["is_open"] is False


# ── languages and visitors ─────────────────────────────────────────────────────────────────


def test_english_and_chinese_pages_are_cached_apart(client, policy):
    for _ in range(2):
        english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        chinese = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert '<html lang="en">' in english and '<html lang="zh-hans">' in chinese
        assert "Policy calculator" in english and "Policy calculator" not in chinese
        assert "政策计算器" in chinese


@pytest.mark.parametrize("url", ["/", "/measures/2/", "/calculator/", "/calculator/?track=1"])
def test_a_signed_in_users_header_is_never_served_to_anyone_else(url, client, enterprise_user):
    NotificationFactory.create_batch(3, recipient=enterprise_user)
    client.force_login(enterprise_user)
    anonymous, other = Client(), Client()

    for _ in range(2):
        mine = client.get(url).content.decode()
        theirs = anonymous.get(url).content.decode()
        assert enterprise_user.username in mine and 'class="bell-count">3<' in mine
        assert enterprise_user.username not in theirs and "bell-count" not in theirs
        assert "企业注册" in theirs

    other_user = type(enterprise_user).objects.create_user(username="someone-else")
    other.force_login(other_user)
    theirs = other.get(url).content.decode()
    assert "someone-else" in theirs and enterprise_user.username not in theirs


def test_an_anonymous_page_carries_the_visitors_own_csrf_token_and_address(client, policy):
    client.get("/?utm=a")
    response = client.get('/?utm="b"&x=1')

    html = response.content.decode()
    assert CSRF_TOKEN_HOLE not in html and FULL_PATH_HOLE not in html
    assert 'name="next" type="hidden" value="/?utm=%22b%22&amp;x=1"' in html
    assert 'name="csrfmiddlewaretoken" value="' in html
    assert response.cookies["csrftoken"].value


def test_the_language_switch_on_a_cached_page_accepts_its_token(policy):
    client = Client(enforce_csrf_checks=True)
    client.get("/")
    page = client.get("/measures/2/").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]

    response = client.post(
        "/i18n/setlang/",
        {"language": "en", "next": "/measures/2/", "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert "Policy calculator" in client.get("/measures/2/").content.decode()


# ── queries on a warm cache ────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "url",
    ["/", "/measures/10/", "/calculator/", "/api/measures/", "/api/measures/10/"],
)
def test_an_anonymous_page_runs_no_query_on_a_warm_cache(
    url, client, policy, django_assert_num_queries
):
    client.get(url)

    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200


def test_the_calculator_with_a_track_runs_no_query_on_a_warm_cache(
    client, track, django_assert_num_queries
):
    url = f"/calculator/?track={track(10, 'ic-design').pk}"
    client.get(url)

    with django_assert_num_queries(0):
        assert "实际到位投资" in client.get(url).content.decode()


def test_a_quote_runs_no_query_with_the_rule_cached_and_three_without(
    client, policy, django_assert_num_queries
):
    policy_version_bump()  # nothing cached for this version yet
    policy_version()

    with django_assert_num_queries(3):  # the track with its measure, its fields, its thresholds
        first = quote_2(client)
    with django_assert_num_queries(0):
        again = quote_2(client)

    assert first.json() == again.json()
    assert again.json()["amount"] == "2000000.00"


def test_an_unknown_measure_is_not_cached(client, policy):
    assert client.get("/measures/99/").status_code == 404
    assert client.get("/api/measures/99/").status_code == 404
    Measure.objects.create(
        number=99,
        section=Measure.objects.get(number=2).section,
        title="新增措施",
        text="新增措施原文",
        kind=Measure.Kind.PROGRAMME,
    )

    assert client.get("/measures/99/").status_code == 200
    assert client.get("/api/measures/99/").status_code == 200


def test_pages_are_served_and_edits_saved_while_the_cache_is_unreachable(
    client, track, monkeypatch
):
    from django.core.cache import cache

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    for method in ("get", "set", "delete"):
        monkeypatch.setattr(cache, method, unreachable)
    subject = track(2)
    subject.cap = Decimal("2500000")
    subject.save()

    assert client.get("/").status_code == 200
    assert "最高 250万元" in client.get("/measures/2/").content.decode()
    assert client.get("/api/measures/2/").json()["tracks"][0]["rule"]["cap"] == "2500000.00"
