import base64
import binascii
import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enterprises.models import Enterprise
from measures.money import format_yuan
from publicity import services
from publicity.models import Objection
from tests.disbursements.factories import approved_applications

BANK_ACCOUNT = "6222020200112233445"


def client_address() -> str:
    """An address no other test or run uses: the rate limit counts in a shared cache."""
    return f"2001:db8:{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}::2"


@pytest.fixture
def published(administrator):
    applications = approved_applications(
        2, publicised=False, bank_account=BANK_ACCOUNT, contact_phone="13912345678"
    )
    first = applications[0]
    publicity = services.publicity_create(
        window=first.window, measure=first.track.measure, by=administrator
    )
    return services.publicity_publish(publicity=publicity, by=administrator)


def _answer(page: str) -> dict:
    """The form's challenge and its answer, read as a person reads the question."""
    first, second = map(int, re.search(r"(\d+) 加 (\d+) 等于几", page).groups())
    token = re.search(r'name="challenge" value="([^"]+)"', page).group(1)
    return {"challenge": token, "answer": str(first + second)}


def _objection_data(client, publicity, **overrides):
    page = client.get(reverse("publicity:detail", args=[publicity.pk])).content.decode()
    return {
        "entry": str(publicity.entries.first().pk),
        "name": "李明",
        "contact": "13800000000",
        "text": "该企业申报的采购额与实际不符。",
        "website": "",
        **_answer(page),
        **overrides,
    }


def test_the_public_pages_show_names_measures_and_amounts_and_nothing_private(client, published):
    enterprises = Enterprise.objects.filter(applications__publicity_entries__publicity=published)

    listing = client.get(reverse("publicity:list")).content.decode()
    page = client.get(reverse("publicity:detail", args=[published.pk])).content.decode()

    assert published.title in listing
    for enterprise in enterprises:
        assert enterprise.name in page
        assert enterprise.credit_code not in page and enterprise.credit_code not in listing
        assert BANK_ACCOUNT not in page and enterprise.bank_name not in page
        assert enterprise.contact_phone not in page
        if enterprise.contact_name:
            assert enterprise.contact_name not in page
    assert format_yuan(Decimal("123456.78")) in page
    assert "个工作日" in page and "异议方式" in page


def test_a_draft_publicity_is_not_public(client, administrator):
    applications = approved_applications(1, publicised=False)
    draft = services.publicity_create(
        window=applications[0].window, measure=applications[0].track.measure, by=administrator
    )
    assert client.get(reverse("publicity:detail", args=[draft.pk])).status_code == 404
    assert draft.title not in client.get(reverse("publicity:list")).content.decode()


def test_the_public_pages_take_a_fixed_number_of_queries(
    client, published, administrator, django_assert_num_queries
):
    client.get(reverse("publicity:detail", args=[published.pk]))
    with django_assert_num_queries(2):
        client.get(reverse("publicity:detail", args=[published.pk]))
    with django_assert_num_queries(1):
        client.get(reverse("publicity:list"))
    # More lines and more 公示: the same counts.
    more = approved_applications(5, publicised=False)
    other = services.publicity_create(
        window=more[0].window, measure=more[0].track.measure, by=administrator
    )
    other = services.publicity_publish(publicity=other, by=administrator)
    with django_assert_num_queries(2):
        client.get(reverse("publicity:detail", args=[other.pk]))
    with django_assert_num_queries(1):
        client.get(reverse("publicity:list"))


def test_anyone_lodges_an_objection_during_the_period(client, published):
    address = client_address()
    data = _objection_data(client, published)

    response = client.post(
        reverse("publicity:detail", args=[published.pk]), data, REMOTE_ADDR=address
    )

    assert response.status_code == 302
    objection = Objection.objects.get()
    assert (objection.name, objection.outcome, objection.entry_id) == (
        "李明",
        "pending",
        int(data["entry"]),
    )


def test_a_wrong_answer_or_a_filled_honeypot_is_refused(client, published):
    url = reverse("publicity:detail", args=[published.pk])
    wrong = _objection_data(client, published)
    wrong["answer"] = str(int(wrong["answer"]) + 1)
    forged = _objection_data(client, published, challenge=signing.dumps({"sum": 3}, salt="x"))
    forged["answer"] = "3"
    bot = _objection_data(client, published, website="http://spam.example")

    pages = [client.post(url, data, REMOTE_ADDR=client_address()) for data in (wrong, forged, bot)]

    assert [page.status_code for page in pages] == [200, 200, 200]
    assert not Objection.objects.exists()
    assert "验证问题回答不正确" in pages[0].content.decode()


def test_an_expired_challenge_is_refused(client, published, monkeypatch):
    monkeypatch.setattr("publicity.challenges.CHALLENGE_MAX_AGE", 0)
    data = _objection_data(client, published)

    page = client.post(reverse("publicity:detail", args=[published.pk]), data)

    assert not Objection.objects.exists()
    assert "验证问题已失效" in page.content.decode()


def _decoded(token: str) -> str:
    """Whatever a visitor could read out of the token: each part of it, base64 decoded."""
    read = [token]
    for part in re.split(r"[:.]", token):
        try:
            read.append(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode("latin-1"))
        except (binascii.Error, ValueError):
            continue
    return " ".join(read)


def test_the_page_carries_no_answer_only_a_random_nonce(client, published):
    url = reverse("publicity:detail", args=[published.pk])
    tokens = [_answer(client.get(url).content.decode())["challenge"] for _ in range(2)]

    assert tokens[0] != tokens[1]
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{32,64}", token)
        assert '"sum"' not in _decoded(token)


def test_a_question_is_answered_once(client, published):
    url = reverse("publicity:detail", args=[published.pk])
    data = _objection_data(client, published)

    first = client.post(url, data, REMOTE_ADDR=client_address())
    again = client.post(url, data, REMOTE_ADDR=client_address())

    assert first.status_code == 302
    assert again.status_code == 200 and "验证问题已失效" in again.content.decode()
    assert Objection.objects.count() == 1


def test_a_question_answered_wrong_is_spent(client, published):
    url = reverse("publicity:detail", args=[published.pk])
    data = _objection_data(client, published)
    right = data["answer"]

    client.post(url, {**data, "answer": str(int(right) + 1)}, REMOTE_ADDR=client_address())
    retried = client.post(url, {**data, "answer": right}, REMOTE_ADDR=client_address())

    assert retried.status_code == 200 and "验证问题已失效" in retried.content.decode()
    assert not Objection.objects.exists()


def test_a_question_is_answered_only_by_the_visitor_it_was_asked(client, published):
    url = reverse("publicity:detail", args=[published.pk])
    data = _objection_data(client, published)

    elsewhere = Client().post(url, data, REMOTE_ADDR=client_address())
    here = client.post(url, data, REMOTE_ADDR=client_address())

    assert elsewhere.status_code == 200 and "验证问题已失效" in elsewhere.content.decode()
    # Asked of this visitor, and spent by nobody else's post.
    assert here.status_code == 302
    assert Objection.objects.count() == 1


def test_after_a_wrong_answer_a_new_question_is_asked_with_the_answer_field_empty(
    client, published
):
    url = reverse("publicity:detail", args=[published.pk])
    data = _objection_data(client, published)
    wrong = str(int(data["answer"]) + 1)

    page = client.post(url, {**data, "answer": wrong}, REMOTE_ADDR=client_address())

    body = page.content.decode()
    answer_input = re.search(r"<input[^>]*id=\"id_answer\"[^>]*>", body).group(0)
    assert "value=" not in answer_input
    assert _answer(body)["challenge"] != data["challenge"]
    # What the visitor wrote stays.
    assert 'value="李明"' in body and "该企业申报的采购额与实际不符。" in body
    # The new question answered is taken.
    again = client.post(url, {**data, **_answer(body)}, REMOTE_ADDR=client_address())
    assert again.status_code == 302 and Objection.objects.count() == 1


def test_objections_are_rate_limited_per_client_address(client, published, settings):
    settings.OBJECTION_RATE = "2/h"
    address = client_address()
    url = reverse("publicity:detail", args=[published.pk])

    answers = [
        client.post(url, _objection_data(client, published), REMOTE_ADDR=address).status_code
        for _ in range(3)
    ]
    other = client.post(url, _objection_data(client, published), REMOTE_ADDR=client_address())

    assert answers == [302, 302, 429]
    assert other.status_code == 302
    assert Objection.objects.count() == 3


def test_no_objection_form_after_the_period(client, administrator):
    applications = approved_applications(1, publicised=False)
    publicity = services.publicity_create(
        window=applications[0].window, measure=applications[0].track.measure, by=administrator
    )
    publicity = services.publicity_publish(
        publicity=publicity, by=administrator, at=timezone.now() - timedelta(days=30)
    )
    url = reverse("publicity:detail", args=[publicity.pk])

    page = client.get(url).content.decode()
    response = client.post(url, {"entry": publicity.entries.get().pk, "name": "x"})

    assert 'name="challenge"' not in page and "不再受理异议" in page
    assert response.status_code == 302 and not Objection.objects.exists()


def test_the_page_is_shown_while_the_cache_is_unreachable(client, published, monkeypatch):
    from django.core.cache import cache

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    url = reverse("publicity:detail", args=[published.pk])
    data = _objection_data(client, published)
    monkeypatch.setattr(cache, "set", unreachable)
    monkeypatch.setattr(cache, "get", unreachable)

    page = client.get(url)
    posted = client.post(url, data, REMOTE_ADDR=client_address())

    assert page.status_code == 200 and "等于几" in page.content.decode()
    assert posted.status_code in (200, 429) and not Objection.objects.exists()
