"""The demo's side of the policy: open windows, the divisions' contacts, 免申即享 proposals."""

from datetime import timedelta

from django.utils import timezone

from measures.models import ApplicationWindow, Division, Measure

from .common import DEMO_WINDOW_BUDGET, DEMO_WINDOW_DAYS, DemoReport

# DEMO DATA, invented: not the commission's numbers or rooms. The divisions' contacts are shown
# in every measure's guide; a real deployment enters them in the admin (处室), and leaves them
# blank ("联系方式待公布") until they are published. Each value says it is a demo's.
DEMO_CONTACT_PHONE = "023-6000 {number:04d}（演示号码）"
DEMO_CONTACT_ADDRESS = "重庆市渝北区示范大道1号市经济信息委{room}室（演示地址）"
DEMO_OFFICE_HOURS = "工作日 9:00—12:00，14:00—17:30"


def _windows(report: DemoReport) -> None:
    now = timezone.now()
    for measure in Measure.objects.filter(kind=Measure.Kind.FUNDING):
        if ApplicationWindow.objects.open_at(now).filter(measure=measure).exists():
            continue
        opens = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        ApplicationWindow.objects.create(
            measure=measure,
            year=opens.year,
            name=f"{opens.year}年第一批",
            opens_at=opens,
            closes_at=opens + timedelta(days=DEMO_WINDOW_DAYS),
            total_budget=DEMO_WINDOW_BUDGET,
        )
        report.created.append(f"window for measure {measure.number}")


def _division_contacts(report: DemoReport) -> None:
    """Demo contacts for the divisions that have none; what an administrator entered is kept."""
    for index, division in enumerate(Division.objects.order_by("pk"), start=1):
        if division.has_contact:
            continue
        division.contact_phone = DEMO_CONTACT_PHONE.format(number=100 + index)
        division.contact_address = DEMO_CONTACT_ADDRESS.format(room=500 + index)
        division.office_hours = DEMO_OFFICE_HOURS
        division.save(update_fields=["contact_phone", "contact_address", "office_hours"])
        report.created.append(f"demo contact for division {division.code}")


def _demo_proposal(report: DemoReport) -> None:
    """免申即享 for measure 11 (first unit insurance) from what 经信委认定 holds of the demo
    enterprise, for it to confirm: prepared as an administrator would from the windows' list,
    without the worker. Measure 11 is a formula track whose every condition the departments'
    data establishes. Running the demo again proposes nothing twice."""
    from applications.proposals import proposals_prepare

    for window in ApplicationWindow.objects.open_at(timezone.now()).filter(measure__number=11):
        if proposals_prepare(window=window):
            report.created.append(f"免申即享 proposals for {window}")
