"""A file imports in the memory of one chunk of rows, whatever its length."""

import csv
import tracemalloc

import pytest

from departments.imports import import_file
from departments.models import DepartmentFigure
from tests.enterprises.factories import make_credit_code

from .factories import HEADER, statistics_bureau

pytestmark = pytest.mark.django_db


def write_csv(path, rows: int, *, first: int = 0):
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n in range(first, first + rows):
            writer.writerow([make_credit_code(n), 2024, str(1000 + n), "是", ""])


def peak_of_import(source, path) -> int:
    with path.open("rb") as binary:
        tracemalloc.start()
        try:
            import_file(source=source, binary=binary, file_name="big.csv", by=None, apply=True)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_ten_times_the_rows_take_no_more_memory(policy, tmp_path, settings):
    settings.DEBUG = False  # no query log
    source = statistics_bureau()
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    # Other enterprises in each: both imports write new rows only.
    write_csv(small, 2_000)
    write_csv(large, 20_000, first=100_000)

    small_peak = peak_of_import(source, small)
    large_peak = peak_of_import(source, large)

    assert DepartmentFigure.objects.filter(current=True).count() == 44_000
    # Holding every row would take ten times the memory; one chunk at a time takes the same.
    assert large_peak < small_peak * 1.5, (small_peak, large_peak)
    assert large_peak < 64 * 1024 * 1024
