"""Rolling an import batch back as a whole: its rows stop being current and the rows it
superseded are current again, even when a later batch has superseded some of its own."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from departments.models import DepartmentFigure, DepartmentRecognition
from departments.rollback import batch_rollback
from tests.enterprises.factories import UserFactory

from .factories import code, csv_bytes, run, statistics_bureau

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(policy):
    return statistics_bureau()


@pytest.fixture
def administrator(policy):
    return UserFactory(is_staff=True, roles=["administrator"])


def amount(seed: int, year: int = 2024):
    figure = DepartmentFigure.objects.filter(
        current=True, credit_code=code(seed), year=year, name="industrial_added_value"
    ).first()
    return figure and figure.decimal_value


def held(seed: int):
    recognition = DepartmentRecognition.objects.filter(current=True, credit_code=code(seed)).first()
    return recognition and recognition.held


def test_rolling_back_restores_what_the_batch_superseded(source, administrator):
    run(source, csv_bytes([[code(1), 2024, "100", "", "是"], [code(2), 2024, "200", "", ""]]))
    second = run(
        source, csv_bytes([[code(1), 2024, "150", "", "否"], [code(3), 2024, "3", "", ""]])
    )

    batch_rollback(batch=second.batch, by=administrator)

    assert (amount(1), amount(2), amount(3)) == (Decimal("100"), Decimal("200"), None)
    assert held(1) is True
    second.batch.refresh_from_db()
    assert second.batch.rolled_back_by == administrator and second.batch.is_rolled_back
    assert not DepartmentFigure.objects.filter(batch=second.batch, current=True).exists()


def test_rolling_back_a_batch_a_later_one_superseded_keeps_the_later_one(source, administrator):
    """A (100) → B (150, and 7 for a second enterprise) → C (170): rolling B back leaves C's
    170 current, and makes A's value current only where B's was; rolling C back then restores
    A's 100, as B no longer stands."""
    a = run(source, csv_bytes([[code(1), 2024, "100", "", ""], [code(2), 2024, "5", "", ""]]))
    b = run(source, csv_bytes([[code(1), 2024, "150", "", ""], [code(2), 2024, "7", "", ""]]))
    c = run(source, csv_bytes([[code(1), 2024, "170", "", ""]]))

    batch_rollback(batch=b.batch, by=administrator)

    assert (amount(1), amount(2)) == (Decimal("170"), Decimal("5"))

    batch_rollback(batch=c.batch, by=administrator)

    assert (amount(1), amount(2)) == (Decimal("100"), Decimal("5"))
    assert a.batch.pk < b.batch.pk < c.batch.pk


def test_a_later_batch_repeating_a_value_keeps_it_when_the_earlier_is_rolled_back(
    source, administrator
):
    """A says 100, B 150, C 150 again (unchanged): C still stands after B is rolled back, so
    150 stays current."""
    run(source, csv_bytes([[code(1), 2024, "100", "", ""]]))
    b = run(source, csv_bytes([[code(1), 2024, "150", "", ""]]))
    c = run(source, csv_bytes([[code(1), 2024, "150", "", ""]]))
    assert c.batch.unchanged_count == 1

    batch_rollback(batch=b.batch, by=administrator)

    assert amount(1) == Decimal("150")
    assert DepartmentFigure.objects.get(current=True).batch == c.batch


def test_rolling_back_in_chunks(source, administrator, monkeypatch):
    monkeypatch.setattr("departments.rollback.CHUNK", 3)
    rows = [[code(n), 2024, str(n), "", ""] for n in range(1, 8)]
    run(source, csv_bytes(rows))
    later = run(source, csv_bytes([[code(n), 2024, str(n * 10), "", ""] for n in range(1, 8)]))

    assert batch_rollback(batch=later.batch, by=administrator) == 7

    assert [amount(n) for n in range(1, 8)] == [Decimal(n) for n in range(1, 8)]


def test_a_batch_rolls_back_once(source, administrator):
    batch = run(source, csv_bytes([[code(1), 2024, "100", "", ""]])).batch
    batch_rollback(batch=batch, by=administrator)

    with pytest.raises(ValidationError):
        batch_rollback(batch=batch, by=administrator)
    assert not DepartmentFigure.objects.filter(current=True).exists()
