"""Rolling an import batch back as a whole.

The current row of a key (source, credit code, figure or recognition, year) is the row of the
latest batch still standing that gave it (``departments.imports``). Rolling batch B back keeps
that true: every row of B stops being current, and for each key whose current row was B's, the
row of the latest earlier batch still standing that gave the key becomes current again. A key
whose row of B a later batch had already superseded keeps that later batch's row: it is still
the latest standing one. One transaction, in chunks of keys, so a batch of any size rolls back
in the memory of one chunk."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import DataSource, DepartmentFigure, DepartmentRecognition, ImportBatch

CHUNK = 2000


def _restore(model, *, batch: ImportBatch, target: str) -> int:
    """Make ``model``'s rows of ``batch`` not current and their predecessors current again;
    returns how many were current."""
    earlier = (
        model.objects.filter(
            source_id=batch.source_id,
            credit_code=OuterRef("credit_code"),
            year=OuterRef("year"),
            **{target: OuterRef(target)},
            batch_id__lt=batch.pk,
            batch__rolled_back_at__isnull=True,
        )
        .order_by("-batch_id")
        .values("pk")[:1]
    )
    rows = model.objects.filter(batch=batch, current=True)
    count = 0
    while True:
        chunk = list(rows.annotate(earlier=Subquery(earlier)).values_list("pk", "earlier")[:CHUNK])
        if not chunk:
            return count
        count += len(chunk)
        model.objects.filter(pk__in=[pk for pk, _earlier in chunk]).update(current=False)
        model.objects.filter(pk__in=[pk for _pk, pk in chunk if pk is not None]).update(
            current=True
        )


@transaction.atomic
def batch_rollback(*, batch: ImportBatch, by) -> int:
    """Roll ``batch`` back: returns how many of its values were current."""
    # Serializes with imports and other roll-backs of the source.
    DataSource.objects.select_for_update().get(pk=batch.source_id)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.rolled_back_at is not None:
        raise ValidationError(_("该批次已回退，不能再次回退。"))
    batch.rolled_back_at = timezone.now()
    batch.rolled_back_by = by
    batch.save(update_fields=["rolled_back_at", "rolled_back_by"])
    return _restore(DepartmentFigure, batch=batch, target="name") + _restore(
        DepartmentRecognition, batch=batch, target="kind"
    )
