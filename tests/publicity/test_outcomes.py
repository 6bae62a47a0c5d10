"""What a 公示 says of a line whose objection was upheld, and how its title tells it from the
other 公示 of its window and measure."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from measures.money import format_yuan
from publicity import services
from publicity.errors import PublicityError
from publicity.models import Objection, PublicityState
from tests.disbursements.factories import approved_applications

UPHELD = "异议成立，已退回复核"
DISPUTED_AMOUNT = Decimal("987654.32")
CLEAR_AMOUNT = Decimal("123456.78")


@pytest.fixture
def closed_with_an_upheld_objection(administrator):
    disputed = approved_applications(1, amount=DISPUTED_AMOUNT, publicised=False)[0]
    approved_applications(1, amount=CLEAR_AMOUNT, window=disputed.window, publicised=False)
    publicity = services.publicity_create(
        window=disputed.window, measure=disputed.track.measure, by=administrator
    )
    publicity = services.publicity_publish(publicity=publicity, by=administrator)
    entry = publicity.entries.get(application=disputed)
    objection = services.objection_lodge(
        publicity=publicity, entry_id=entry.pk, name="李明", contact="13800000000", text="虚报"
    )
    services.objection_decide(
        objection=objection,
        by=administrator,
        outcome=Objection.Outcome.UPHELD,
        comment="采购额与发票不符",
    )
    return services.publicity_close(
        publicity=publicity, by=administrator, at=publicity.ends_at + timedelta(seconds=1)
    )


def test_the_public_page_marks_the_upheld_line_instead_of_its_amount(
    client, closed_with_an_upheld_objection
):
    publicity = closed_with_an_upheld_objection
    assert publicity.state == PublicityState.CLOSED

    page = client.get(reverse("publicity:detail", args=[publicity.pk])).content.decode()

    assert page.count(UPHELD) == 1
    assert format_yuan(DISPUTED_AMOUNT) not in page
    assert format_yuan(CLEAR_AMOUNT) in page


def test_the_admin_marks_the_upheld_line_instead_of_its_amount(
    client, administrator, closed_with_an_upheld_objection
):
    client.force_login(administrator)
    url = reverse("admin:publicity_publicity_change", args=[closed_with_an_upheld_objection.pk])

    page = client.get(url).content.decode()

    assert page.count(UPHELD) == 1
    assert format_yuan(DISPUTED_AMOUNT) not in page
    assert format_yuan(CLEAR_AMOUNT) in page


def test_publicities_of_one_window_and_measure_are_numbered(client, administrator):
    first_application = approved_applications(1, publicised=False)[0]
    window, measure = first_application.window, first_application.track.measure
    first = services.publicity_create(window=window, measure=measure, by=administrator)
    services.publicity_publish(publicity=first, by=administrator)
    approved_applications(1, window=window, publicised=False)

    second = services.publicity_create(window=window, measure=measure, by=administrator)
    services.publicity_publish(publicity=second, by=administrator)

    assert (first.number, second.number) == (1, 2)
    assert second.title == f"{first.title}（第2期）"
    page = client.get(reverse("publicity:list")).content.decode()
    assert page.count(f">{first.title}<") == 1
    assert page.count(f">{second.title}<") == 1


def test_a_title_already_taken_is_numbered_too(administrator):
    first_application = approved_applications(1, publicised=False)[0]
    window, measure = first_application.window, first_application.track.measure
    services.publicity_create(window=window, measure=measure, by=administrator, title="名单公示")
    approved_applications(1, window=window, publicised=False)

    second = services.publicity_create(
        window=window, measure=measure, by=administrator, title="名单公示"
    )

    assert second.title == "名单公示（第2期）"


def test_a_title_taken_by_another_window_is_refused(administrator):
    one = approved_applications(1, publicised=False)[0]
    other = approved_applications(1, publicised=False)[0]
    services.publicity_create(
        window=one.window, measure=one.track.measure, by=administrator, title="名单公示"
    )

    with pytest.raises(PublicityError, match="已有同名公示"):
        services.publicity_create(
            window=other.window, measure=other.track.measure, by=administrator, title="名单公示"
        )


def test_the_add_form_says_when_a_title_is_taken(client, administrator):
    one = approved_applications(1, publicised=False)[0]
    other = approved_applications(1, publicised=False)[0]
    services.publicity_create(
        window=one.window, measure=one.track.measure, by=administrator, title="名单公示"
    )
    client.force_login(administrator)

    response = client.post(
        reverse("admin:publicity_publicity_add"),
        {
            "window": other.window_id,
            "measure": other.track.measure_id,
            "title": "名单公示",
            "period_workdays": "5",
            "how_to_object": "书面反映",
        },
    )

    assert response.status_code == 200
    assert "已有同名公示，请换一个标题。" in response.content.decode()
