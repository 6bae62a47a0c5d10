"""What every part of the demo shares: the report of what it created, its windows' budget and
length, and the PDF it uploads wherever a document is asked for."""

from dataclasses import dataclass, field
from decimal import Decimal

DEMO_WINDOW_BUDGET = Decimal("50000000")  # 5000万元 per measure
DEMO_WINDOW_DAYS = 90

DEMO_PDF = b"%PDF-1.4\n% demo document\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass
class DemoReport:
    created: list[str] = field(default_factory=list)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, scope
    # username, the authenticator's secret in base32, a few of the recovery codes left
    second_factors: list[tuple[str, str, list[str]]] = field(default_factory=list)
