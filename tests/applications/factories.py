from datetime import timedelta
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications import services
from measures.models import ApplicationWindow, Track

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf_upload(name: str = "材料.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


class WindowFactory(factory.django.DjangoModelFactory):
    """An open window for a measure (all its tracks)."""

    class Meta:
        model = ApplicationWindow

    measure = factory.LazyAttribute(lambda w: Track.objects.get(code="supply-chain").measure)
    year = 2026
    name = factory.Sequence(lambda n: f"2026年第{n}批")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    total_budget = Decimal("50000000")


# Figures that qualify for each track used in the tests.
ELIGIBLE = {
    "supply-chain": {
        "annual_purchase_amount": Decimal("300000000"),
        "new_purchase_amount": Decimal("300000000"),
    },
    "ic-design": {"actual_investment": Decimal("30000000")},
    "single-champion": {"recognition_document": "工信部公告2022年第1号"},
    "key-industrial-park": {"park_name": "重庆集成电路产业园", "annual_targets_met": True},
}


def draft(*, user, code: str = "supply-chain", window=None, declared=None, documents: bool = True):
    """A draft of ``user``'s enterprise, with figures and (by default) every required document."""
    track = Track.objects.select_related("measure").get(code=code)
    window = window or WindowFactory(measure=track.measure)
    application = services.application_create(
        enterprise=user.enterprise, track=track, window=window, by=user
    )
    services.application_update_declared(
        application=application, by=user, declared=ELIGIBLE[code] if declared is None else declared
    )
    if documents:
        for kind in track.required_documents:
            services.document_add(application=application, by=user, kind=kind, upload=pdf_upload())
    application.refresh_from_db()
    return application


def library_document(
    *, user, kind: str = "营业执照", year=None, name: str = "营业执照.pdf", content=PDF_BYTES
):
    """A document of ``user``'s enterprise's library, stored through the service."""
    return services.library_document_add(
        enterprise=user.enterprise,
        by=user,
        kind=kind,
        year=year,
        upload=SimpleUploadedFile(name, content),
    )
