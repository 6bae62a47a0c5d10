"""Every URL pattern of the site, the API and the admin, against every role.

The patterns are read from the resolver, so a URL added without a rule here fails
``test_every_url_pattern_has_a_rule``. Each rule builds the URL for a concrete object (mostly
enterprise A's) and says what each role gets: a status, or a redirect to one of the two login
pages. Every body is searched for what the role must never see (the other enterprise's name,
credit code and references; applications outside an official's scope).

Expected answers, by kind of refusal: an enterprise never learns that another enterprise's
object exists (404); officials reach the portal's enterprise pages only as a redirect to their
admin; in the admin, people who are not staff are sent to its login, staff without the
permission get 403, and an object outside their scope looks like one that does not exist (404
where the page says so, Django's "does not exist" redirect on its generic pages).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from enterprises.sessions import LAST_SEEN
from security.audit.chain import head, seal, verify
from tests.authorization import (
    ENTERPRISES,
    FINANCE,
    NOT_STAFF,
    RATING_A,
    REVIEWERS,
    ROLES,
    SECURITY_AND_AUDIT,
    SIGNED_IN,
    STAFF,
    build_world,
)
from tests.conftest import second_factor_given
from tests.zh_hans import english_on_page

LOGIN = "login"  # 302 to the site's login page
ADMIN_LOGIN = "admin-login"  # 302 to the admin's login page
REDIRECT = "redirect"  # 302 anywhere else


def expect(*pairs) -> dict:
    """{role: answer} from (roles, answer) pairs, later pairs overriding earlier ones; roles is
    one role's name or a tuple of them."""
    answers = {}
    for roles, answer in pairs:
        for role in (roles,) if isinstance(roles, str) else roles:
            answers[role] = answer
    missing = set(ROLES) - set(answers)
    assert not missing, f"no answer for {sorted(missing)}"
    return answers


def admin_expect(*pairs) -> dict:
    """An admin page: whoever is not staff is sent to the admin's login."""
    return expect((NOT_STAFF, ADMIN_LOGIN), *pairs)


def portal_expect(*pairs) -> dict:
    """An enterprise page: visitors log in, officials go to their admin, enterprise B gets 404."""
    return expect(("anonymous", LOGIN), (STAFF, REDIRECT), ("enterprise_b", 404), *pairs)


@dataclass(frozen=True)
class Case:
    url: Callable  # world -> URL
    get: dict  # role -> answer
    post: dict | None = None  # role -> answer; None: the view takes no POST worth asking
    data: dict | Callable | None = None  # or world -> dict
    json: dict | None = None  # posted as application/json instead of a form


def value_at(world, path: str):
    """An object of the world by attribute path: "a_draft.pk", "users.enterprise_a"."""
    head, *rest = path.split(".")
    value = getattr(world, head)
    for part in rest:
        value = value[part] if isinstance(value, dict) else getattr(value, part)
    return value


def at(name: str, *args) -> Callable:
    """The URL of ``name``; arguments with a dot are paths into the world."""

    def build(world):
        values = [value_at(world, a) if isinstance(a, str) and "." in a else a for a in args]
        return reverse(name, args=values)

    return build


def literal(url: str) -> Callable:
    return lambda world: url


# ── the admin's generated pages, per model ─────────────────────────────────────────────────


def model_admin_rules(
    app_model: str, obj: str, *, view, add=(), change=(), delete=(), scope=STAFF, read_only=False
):
    """The six URLs Django's ModelAdmin makes for ``app_model`` ("app_label/model_name"), with
    the answers its permission checks give: ``view``/``add``/``change``/``delete`` are the
    roles holding each, ``scope`` the roles whose queryset holds the object ``obj``. On a
    ``read_only`` model (every field read-only) a change posted by a holder saves nothing and
    redirects."""
    app_label, model_name = app_model.split("/")
    name = f"admin:{app_label}_{model_name}"
    viewers = set(view) | set(change)
    prefix = f"admin/{app_label}/{model_name}/"

    def on_object(allowed: set, *, out_of_scope_allowed: bool = True) -> dict:
        answers = {}
        for role in STAFF:
            if role not in allowed:
                answers[role] = 403
            elif role in scope:
                answers[role] = 200
            else:
                answers[role] = REDIRECT if out_of_scope_allowed else 403
        return admin_expect(*answers.items())

    def by_holding(allowed) -> dict:
        return admin_expect(*((role, 200 if role in allowed else 403) for role in STAFF))

    history = admin_expect(
        *(
            (role, (200 if role in viewers else 403) if role in scope else REDIRECT)
            for role in STAFF
        )
    )
    return {
        prefix: [Case(at(f"{name}_changelist"), by_holding(viewers))],
        f"{prefix}add/": [Case(at(f"{name}_add"), by_holding(add), post=by_holding(add))],
        f"{prefix}<path:object_id>/change/": [
            Case(
                at(f"{name}_change", f"{obj}.pk"),
                on_object(viewers),
                post={
                    role: REDIRECT if read_only and answer == 200 else answer
                    for role, answer in on_object(set(change)).items()
                },
            )
        ],
        f"{prefix}<path:object_id>/history/": [Case(at(f"{name}_history", f"{obj}.pk"), history)],
        f"{prefix}<path:object_id>/delete/": [
            Case(
                at(f"{name}_delete", f"{obj}.pk"),
                on_object(set(delete)),
                post=on_object(set(delete)),
            )
        ],
        # Django's old-style object URL: a redirect to the change page, for any staff.
        f"{prefix}<path:object_id>/": [
            Case(
                lambda world: f"/{prefix}{value_at(world, obj).pk}/",
                admin_expect((STAFF, REDIRECT)),
            )
        ],
    }


ADMIN = ("administrator",)
# 三员分立: the security administrator decides who may do what, the auditor reads what was
# done; neither does any of the business's work.
SECURITY = ("security_administrator",)
AUDITOR = ("auditor",)
THREE_ADMINISTRATORS = (*ADMIN, *SECURITY_AND_AUDIT)
BUSINESS_STAFF = tuple(role for role in STAFF if role not in SECURITY_AND_AUDIT)
IN_SCOPE_OF_A_APPROVED = ("district_a", "municipal_a", *FINANCE, "administrator")

MODEL_ADMINS = {
    # Login records (django-axes): read by the security administrator and the auditor;
    # nobody adds or changes one; the security administrator unlocks (deletes an attempt).
    **model_admin_rules(
        "axes/accessattempt", "accessattempt", view=SECURITY_AND_AUDIT, delete=SECURITY
    ),
    **{
        key: value
        for model in ("accesslog", "accessfailurelog")
        for key, value in model_admin_rules(f"axes/{model}", model, view=SECURITY_AND_AUDIT).items()
    },
    **{
        key: value
        for model in (
            "periodictask",
            "clockedschedule",
            "crontabschedule",
            "solarschedule",
            "intervalschedule",
        )
        for key, value in model_admin_rules(
            f"django_celery_beat/{model}", model, view=ADMIN, add=ADMIN, change=ADMIN, delete=ADMIN
        ).items()
    },
    **{
        key: value
        for model, obj in (
            ("policydocument", "a_approved.track.measure.section.document"),
            ("section", "a_approved.track.measure.section"),
            ("division", "a_approved.track.measure.division"),
        )
        for key, value in model_admin_rules(
            f"measures/{model}", obj, view=ADMIN, add=ADMIN, change=ADMIN, delete=ADMIN
        ).items()
    },
    **model_admin_rules(
        "measures/measure",
        "a_approved.track.measure",
        view=(*REVIEWERS, *FINANCE, "administrator"),
        add=ADMIN,
        change=ADMIN,
        delete=ADMIN,
    ),
    **model_admin_rules(
        "measures/track",
        "a_approved.track",
        view=(*REVIEWERS, "administrator"),
        add=ADMIN,
        change=ADMIN,
        delete=ADMIN,
    ),
    **model_admin_rules(
        "measures/applicationwindow",
        "a_approved.window",
        view=BUSINESS_STAFF,
        add=ADMIN,
        change=ADMIN,
        delete=ADMIN,
    ),
    **model_admin_rules(
        "enterprises/enterprise", "enterprise_a", view=ADMIN, add=ADMIN, change=ADMIN, delete=ADMIN
    ),
    # Accounts: the administrator keeps them; the security administrator reads an enterprise
    # user's (to reset the password) and gives officials their role and scope.
    **model_admin_rules(
        "enterprises/user",
        "users.enterprise_a",
        view=(*ADMIN, *SECURITY),
        add=ADMIN,
        change=ADMIN,
        delete=ADMIN,
    ),
    **model_admin_rules(
        "enterprises/staffmember",
        "users.district_a",
        view=(*ADMIN, *SECURITY),
        add=ADMIN,
        change=(*ADMIN, *SECURITY),
        delete=ADMIN,
    ),
    # The holiday schedule every count of working days reads: administrators keep it.
    **model_admin_rules(
        "measures/calendarday", "calendar_day", view=ADMIN, add=ADMIN, change=ADMIN, delete=ADMIN
    ),
    # 部门数据: the system administrator defines the sources and reads the departments' data;
    # the batches are read-only, the auditor reads them too.
    **model_admin_rules(
        "departments/datasource", "data_source", view=ADMIN, add=ADMIN, change=ADMIN, delete=ADMIN
    ),
    **model_admin_rules("departments/importbatch", "import_batch", view=(*ADMIN, *AUDITOR)),
    # The files uploaded for import, followed while the worker reads them: the system
    # administrator's, who uploads them.
    **model_admin_rules("departments/importjob", "import_job", view=ADMIN),
    **model_admin_rules("departments/departmentfigure", "department_figure", view=ADMIN),
    **model_admin_rules("departments/departmentrecognition", "department_recognition", view=ADMIN),
    # 部门数据异议: the system administrator reads and answers the enterprises' reports (on the
    # change page); the auditor reads them; nobody adds or deletes one.
    **model_admin_rules(
        "enterprises/departmentdisagreement",
        "a_disagreement",
        view=(*ADMIN, *AUDITOR),
        change=ADMIN,
    ),
    # 免申即享 runs: administrators follow them; nobody changes one.
    **model_admin_rules("applications/proposalrun", "proposal_run", view=ADMIN),
    # 部门数据 by API: the system administrator issues, rotates and revokes the departments'
    # keys; a key is never edited.
    **model_admin_rules("departments/sourcekey", "source_key", view=ADMIN, add=ADMIN, delete=ADMIN),
    # Read-only, each official's scope; the auditor reads every log entry.
    **model_admin_rules(
        "applications/transitionlog",
        "a_log",
        view=(*BUSINESS_STAFF, *AUDITOR),
        scope=(*IN_SCOPE_OF_A_APPROVED, *AUDITOR),
    ),
    **model_admin_rules(
        "applications/application", "a_approved", view=BUSINESS_STAFF, scope=IN_SCOPE_OF_A_APPROVED
    ),
    # The auditor's list of records about applications holds every one, reviews included,
    # but the auditor has no permission to read the reviews.
    **model_admin_rules(
        "reviews/review",
        "a_review_record",
        view=BUSINESS_STAFF,
        scope=(*IN_SCOPE_OF_A_APPROVED, *AUDITOR),
    ),
    **model_admin_rules(
        "disbursements/disbursementbatch",
        "batch",
        view=(*FINANCE, "administrator"),
        add=FINANCE,
        scope=(*FINANCE, "administrator"),
    ),
    # 公示 and objections: administrators only.
    **model_admin_rules("publicity/publicity", "publicity", view=ADMIN, add=ADMIN),
    **model_admin_rules("publicity/objection", "objection", view=ADMIN),
    # The enterprises' ratings: administrators read them; nobody adds, changes or deletes one.
    **model_admin_rules("ratings/rating", "a_rating", view=ADMIN),
    # The batches' and the 公示' logs, read-only: the auditor reads them all, the administrator
    # the batches' (the 公示' on each 公示's page).
    **model_admin_rules("disbursements/batchlog", "batch_log", view=(*ADMIN, *AUDITOR)),
    **model_admin_rules("publicity/publicitylog", "publicity_log", view=AUDITOR),
    # The audit trail: read by the three administrators; nobody changes it.
    **model_admin_rules("security/auditrecord", "audit_record", view=THREE_ADMINISTRATORS),
    # Who enrolled a second factor, and its reset: the holders of security.reset_second_factor,
    # the security administrator; nobody adds, changes or deletes one.
    **model_admin_rules("security/secondfactoraccount", "users.district_a", view=SECURITY),
}

# Where an admin's own view answers differently from Django's generic one.
OUT_OF_SCOPE_404 = (("district_other", 404), ("municipal_other", 404))
BATCH_VIEWERS = (*FINANCE, "administrator")
MODEL_ADMINS["admin/applications/application/<path:object_id>/change/"] = [
    Case(
        at("admin:applications_application_change", "a_approved.pk"),
        admin_expect((STAFF, 200), *OUT_OF_SCOPE_404, (SECURITY_AND_AUDIT, 404)),
        post=admin_expect((STAFF, 403), *OUT_OF_SCOPE_404, (SECURITY_AND_AUDIT, 404)),
    )
]
MODEL_ADMINS["admin/disbursements/disbursementbatch/add/"] = [
    Case(
        at("admin:disbursements_disbursementbatch_add"),
        admin_expect((STAFF, 403), (FINANCE, 200)),
        post=admin_expect((STAFF, 403), (FINANCE, 200)),
    )
]
# Everything in one's scope, beside the default list of what awaits one.
MODEL_ADMINS["admin/applications/application/"].append(
    Case(
        lambda world: reverse("admin:applications_application_changelist") + "?queue=all",
        admin_expect((STAFF, 200), (SECURITY_AND_AUDIT, 403)),
    )
)
MODEL_ADMINS["admin/enterprises/user/<id>/password/"] = [
    Case(
        at("admin:auth_user_password_change", "users.enterprise_a.pk"),
        admin_expect((STAFF, 403), (SECURITY, 200)),
        post=admin_expect((STAFF, 403), (SECURITY, 200)),
    )
]
MODEL_ADMINS["admin/enterprises/staffmember/<id>/password/"] = [
    Case(
        at("admin:enterprises_staffmember_password_change", "users.district_a.pk"),
        admin_expect((STAFF, 403), (SECURITY, 200)),
        post=admin_expect((STAFF, 403), (SECURITY, 200)),
    )
]
# An official who has handled anything is deactivated, never deleted: the administrator's
# delete page says so (200) and a POST is refused back to it (302), deleting nothing.
MODEL_ADMINS["admin/enterprises/staffmember/<path:object_id>/delete/"] = [
    Case(
        at("admin:enterprises_staffmember_delete", "users.district_a.pk"),
        admin_expect((STAFF, 403), (ADMIN, 200)),
        post=admin_expect((STAFF, 403), (ADMIN, 302)),
    )
]
MODEL_ADMINS["admin/disbursements/disbursementbatch/<path:object_id>/change/"] = [
    Case(
        at("admin:disbursements_disbursementbatch_change", "batch.pk"),
        admin_expect((STAFF, 403), (BATCH_VIEWERS, 200)),
        post=admin_expect((STAFF, 403), (BATCH_VIEWERS, 200)),
    )
]


# ── every pattern ──────────────────────────────────────────────────────────────────────────

EVERYONE_200 = expect((ROLES, 200))
GET_ONLY = expect((ROLES, 405))

RULES: dict[str, list[Case]] = {
    # The public catalogue, calculator and API.
    "": [Case(at("measures:catalogue"), EVERYONE_200)],
    "measures/<int:number>/": [Case(at("measures:detail", 2), EVERYONE_200)],
    "calculator/": [Case(at("measures:calculator"), EVERYONE_200, post=EVERYONE_200)],
    "api/measures/": [Case(at("api:measure-list"), EVERYONE_200, post=GET_ONLY)],
    "api/measures/<int:number>/": [Case(at("api:measure-detail", 2), EVERYONE_200, post=GET_ONLY)],
    "api/measures/<int:number>/quote/": [
        Case(
            at("api:measure-quote", 2),
            GET_ONLY,
            post=EVERYONE_200,
            json={
                "track": "supply-chain",
                "declared": {
                    "annual_purchase_amount": "300000000",
                    "new_purchase_amount": "300000000",
                },
            },
        )
    ],
    # 公示: public, no login; the objection form posted empty is shown again with its errors.
    "publicity/": [Case(at("publicity:list"), EVERYONE_200)],
    "publicity/<int:pk>/": [
        Case(at("publicity:detail", "publicity.pk"), EVERYONE_200, post=EVERYONE_200, data={})
    ],
    "admin/publicity/publicity/<path:object_id>/take/<str:action>/": [
        Case(
            at("admin:publicity_publicity_take", "publicity.pk", "close"),
            admin_expect((STAFF, 403), ("administrator", 405)),
            post=admin_expect((STAFF, 403), ("administrator", REDIRECT)),
        )
    ],
    # 政策兑现公开: public totals, nothing of any enterprise.
    # 部门数据 by API: signed by a department's key, never by a session; whoever has no
    # signature is refused, signed in or not.
    "api/departments/batches/": [
        Case(at("departments-api:batches"), GET_ONLY, post=expect((ROLES, 401)), json={"rows": []})
    ],
    "admin/departments/sourcekey/<path:object_id>/rotate/": [
        Case(
            at("admin:departments_sourcekey_rotate", "source_key.pk"),
            admin_expect((STAFF, 403), ("administrator", 200)),
            post=admin_expect((STAFF, 403), ("administrator", 200)),
        )
    ],
    "admin/departments/sourcekey/<path:object_id>/revoke/": [
        Case(
            at("admin:departments_sourcekey_revoke", "source_key.pk"),
            admin_expect((STAFF, 403), ("administrator", 200)),
            post=admin_expect((STAFF, 403), ("administrator", REDIRECT)),
        )
    ],
    "transparency/": [Case(at("transparency"), EVERYONE_200, post=expect((ROLES, 405)))],
    # The dashboard: every official of the business (a district reviewer its district's
    # slice), no one else.
    "admin/dashboard/": [
        Case(at("dashboard:index"), admin_expect((STAFF, 200), (SECURITY_AND_AUDIT, 403)))
    ],
    "admin/dashboard/<slug:chart>.xlsx": [
        Case(
            at("dashboard:xlsx", "by-district"),
            admin_expect((STAFF, 200), (SECURITY_AND_AUDIT, 403)),
        ),
        # The service ratings: the administrators' reading alone.
        Case(
            at("dashboard:xlsx", "ratings-by-measure"),
            admin_expect((STAFF, 403), ("administrator", 200)),
        ),
        Case(
            at("dashboard:xlsx", "no-such-chart"),
            admin_expect((STAFF, 404), (SECURITY_AND_AUDIT, 403)),
        ),
    ],
    "admin/publicity/objection/<path:object_id>/decide/": [
        Case(
            at("admin:publicity_objection_decide", "objection.pk"),
            admin_expect((STAFF, 403), ("administrator", 200)),
            post=admin_expect((STAFF, 403), ("administrator", 200)),
            data={},
        )
    ],
    # Registration and the enterprise's profile.
    "enterprise/register/": [
        Case(
            at("enterprises:register"),
            expect((SIGNED_IN, REDIRECT), ("anonymous", 200)),
            post=expect((SIGNED_IN, REDIRECT), ("anonymous", 200)),
        )
    ],
    "enterprise/profile/": [
        Case(
            at("enterprises:profile"),
            portal_expect(("enterprise_b", 200), ("enterprise_a", 200)),
            post=portal_expect(("enterprise_b", 200), ("enterprise_a", 200)),
        )
    ],
    # 个人信息查阅/复制: each enterprise user downloads their own data, never anyone else's.
    "enterprise/profile/export/": [
        Case(
            at("enterprises:profile-export"),
            portal_expect(("enterprise_b", 200), ("enterprise_a", 200)),
            post=portal_expect(("enterprise_b", 405), ("enterprise_a", 405)),
        )
    ],
    # The enterprise's file (一企一档): its own, so B reaches its own pages and never A's objects.
    "enterprise/file/": [
        Case(
            at("enterprises:file"),
            portal_expect(("enterprise_b", 200), ("enterprise_a", 200)),
            post=portal_expect(("enterprise_b", 200), ("enterprise_a", 200)),
        )
    ],
    "enterprise/file/year/": [
        Case(
            lambda world: reverse("enterprises:file-year-choose") + "?year=2025",
            portal_expect(("enterprise_b", REDIRECT), ("enterprise_a", REDIRECT)),
            post=portal_expect(("enterprise_b", 405), ("enterprise_a", 405)),
        )
    ],
    "enterprise/file/<int:year>/": [
        Case(
            at("enterprises:file-year", 2026),
            portal_expect(("enterprise_b", 200), ("enterprise_a", 200)),
            post=portal_expect(("enterprise_b", REDIRECT), ("enterprise_a", REDIRECT)),
        ),
        # The year of 统计局's figures about A: shown read-only, with their source.
        Case(
            at("enterprises:file-year", 2025),
            portal_expect(("enterprise_b", 200), ("enterprise_a", 200)),
            post=portal_expect(("enterprise_b", REDIRECT), ("enterprise_a", REDIRECT)),
        ),
    ],
    # 对部门数据有异议 about 统计局's amount about A: A's own; B never learns it exists.
    "enterprise/file/disagreements/<int:figure>/": [
        Case(
            at("enterprises:disagreement-report", "department_amount.pk"),
            portal_expect(("enterprise_a", 200)),
            post=portal_expect(("enterprise_a", 200)),
        ),
        # ... and about its yes/no.
        Case(
            at("enterprises:disagreement-report", "department_yes_no.pk"),
            portal_expect(("enterprise_a", 200)),
            post=portal_expect(("enterprise_a", 200)),
        ),
    ],
    # 对部门数据有异议 about 统计局's word that A holds a recognition: the same.
    "enterprise/file/disagreements/recognitions/<int:recognition>/": [
        Case(
            at("enterprises:disagreement-report-recognition", "department_recognition.pk"),
            portal_expect(("enterprise_a", 200)),
            post=portal_expect(("enterprise_a", 200)),
        )
    ],
    "enterprise/file/recognitions/<int:pk>/delete/": [
        Case(
            at("enterprises:recognition-delete", "a_recognition.pk"),
            portal_expect(("enterprise_a", 405), ("enterprise_b", 405)),
            post=portal_expect(("enterprise_a", REDIRECT)),
        )
    ],
    # Saving A's approved application into A's file.
    "enterprise/file/from-application/<int:pk>/": [
        Case(
            at("enterprises:file-from-application", "a_approved.pk"),
            portal_expect(("enterprise_a", 405), ("enterprise_b", 405)),
            post=portal_expect(("enterprise_a", REDIRECT)),
        )
    ],
    "portal/matches/": [
        Case(at("matches"), portal_expect(("enterprise_b", 200), ("enterprise_a", 200)))
    ],
    # The enterprise portal, on enterprise A's applications.
    "portal/": [
        Case(at("applications:home"), portal_expect(("enterprise_b", 200), ("enterprise_a", 200)))
    ],
    "portal/apply/": [
        Case(
            at("applications:apply"),
            portal_expect(("enterprise_b", 200), ("enterprise_a", 200)),
            post=portal_expect(("enterprise_b", REDIRECT), ("enterprise_a", REDIRECT)),
        )
    ],
    "portal/applications/<int:pk>/figures/": [
        Case(
            at("applications:figures", "a_draft.pk"),
            portal_expect(("enterprise_a", 200)),
            post=portal_expect(("enterprise_a", 200)),
        ),
        # Once submitted, the editing pages lead back to the application.
        Case(
            at("applications:figures", "a_review.pk"),
            portal_expect(("enterprise_a", REDIRECT)),
            post=portal_expect(("enterprise_a", REDIRECT)),
        ),
    ],
    "portal/applications/<int:pk>/documents/": [
        Case(
            at("applications:documents", "a_draft.pk"),
            portal_expect(("enterprise_a", 200)),
            post=portal_expect(("enterprise_a", 200)),
        )
    ],
    "portal/applications/<int:pk>/documents/<int:document_pk>/delete/": [
        Case(
            at("applications:document-delete", "a_draft.pk", "a_draft_document.pk"),
            portal_expect(("enterprise_a", 405), ("enterprise_b", 405)),
            post=portal_expect(("enterprise_a", REDIRECT)),
        ),
        # A document is deleted through its own application only, not another of the same
        # enterprise's.
        Case(
            at("applications:document-delete", "a_draft.pk", "a_review_document.pk"),
            portal_expect(("enterprise_a", 405), ("enterprise_b", 405)),
            post=portal_expect(("enterprise_a", 404)),
        ),
    ],
    "portal/applications/<int:pk>/documents/attach/": [
        Case(
            at("applications:document-attach", "a_draft.pk"),
            portal_expect(("enterprise_a", 405), ("enterprise_b", 405)),
            post=portal_expect(("enterprise_a", REDIRECT)),
            data=lambda world: {"library_document": world.a_library.pk, "kind": "营业执照"},
        ),
        # Only from one's own library.
        Case(
            at("applications:document-attach", "a_draft.pk"),
            portal_expect(("enterprise_a", 405), ("enterprise_b", 405)),
            post=portal_expect(("enterprise_a", 404)),
            data=lambda world: {"library_document": world.b_library.pk, "kind": "营业执照"},
        ),
    ],
    "portal/applications/<int:pk>/review/": [
        Case(at("applications:review", "a_draft.pk"), portal_expect(("enterprise_a", 200)))
    ],
    **{
        f"portal/applications/<int:pk>/{name}/": [
            Case(
                at(f"applications:{name}", "a_draft.pk"),
                portal_expect(("enterprise_a", 405), ("enterprise_b", 405)),
                post=portal_expect(("enterprise_a", REDIRECT)),
            )
        ]
        for name in ("submit", "resubmit", "withdraw", "confirm")
    },
    # Rating A's rejected application: its enterprise's users post; B's gets 404. Rated
    # already, the post is refused with a message and leads back to the application.
    "portal/applications/<int:pk>/rate/": [
        Case(
            at("ratings:rate", "a_rejected.pk"),
            portal_expect(("enterprise_a", 405), ("enterprise_b", 405)),
            post=portal_expect(("enterprise_a", REDIRECT)),
            data={"score": "5", "comment": "好"},
        )
    ],
    # A's rejected application shows its rating to its enterprise.
    "portal/applications/<int:pk>/": [
        Case(at("applications:detail", "a_review.pk"), portal_expect(("enterprise_a", 200))),
        Case(at("applications:detail", "a_rejected.pk"), portal_expect(("enterprise_a", 200))),
    ],
    "portal/documents/<int:document_pk>/": [
        # Submitted, awaiting district review: its enterprise, A's district, the administrator.
        Case(
            at("applications:document-download", "a_review_document.pk"),
            expect(
                ("anonymous", LOGIN),
                (SIGNED_IN, 404),
                (("enterprise_a", "district_a", "administrator"), 200),
            ),
        ),
        # Approved: also the division of its measure and finance.
        Case(
            at("applications:document-download", "a_approved_document.pk"),
            expect(
                ("anonymous", LOGIN),
                (SIGNED_IN, 404),
                (("enterprise_a", *IN_SCOPE_OF_A_APPROVED), 200),
            ),
        ),
    ],
    # The enterprise's library: its own users only; officials see none, only the copies
    # attached to applications (the document downloads above).
    "portal/library/": [
        Case(
            at("applications:library"),
            portal_expect(("enterprise_b", 200), ("enterprise_a", 200)),
            post=portal_expect(("enterprise_b", 200), ("enterprise_a", 200)),
        )
    ],
    "portal/library/<int:document_pk>/": [
        Case(
            at("applications:library-download", "a_library.pk"),
            portal_expect(("enterprise_a", 200)),
        )
    ],
    "portal/library/<int:document_pk>/replace/": [
        Case(
            at("applications:library-replace", "a_library.pk"),
            portal_expect(("enterprise_a", 200)),
            post=portal_expect(("enterprise_a", 200)),
        )
    ],
    "portal/library/<int:document_pk>/delete/": [
        Case(
            at("applications:library-delete", "a_library.pk"),
            portal_expect(("enterprise_a", 405), ("enterprise_b", 405)),
            post=portal_expect(("enterprise_a", REDIRECT)),
        )
    ],
    # Notifications: one's own only.
    "notifications/": [
        Case(at("notifications:list"), expect(("anonymous", LOGIN), (SIGNED_IN, 200)))
    ],
    "notifications/<int:pk>/": [
        Case(
            at("notifications:open", "a_notification.pk"),
            expect(("anonymous", LOGIN), (SIGNED_IN, 404), ("enterprise_a", REDIRECT)),
        )
    ],
    "notifications/<int:pk>/read/": [
        Case(
            at("notifications:read", "a_notification.pk"),
            expect(("anonymous", LOGIN), (SIGNED_IN, 405)),
            post=expect(("anonymous", LOGIN), (SIGNED_IN, 404), ("enterprise_a", REDIRECT)),
        )
    ],
    "notifications/read-all/": [
        Case(
            at("notifications:read-all"),
            expect(("anonymous", LOGIN), (SIGNED_IN, 405)),
            post=expect(("anonymous", LOGIN), (SIGNED_IN, REDIRECT)),
        )
    ],
    "notifications/settings/": [
        Case(
            at("notifications:settings"),
            expect(("anonymous", LOGIN), (SIGNED_IN, 200)),
            post=expect(("anonymous", LOGIN), (SIGNED_IN, REDIRECT)),
        )
    ],
    # Django's account pages.
    "accounts/login/": [Case(at("login"), EVERYONE_200, post=EVERYONE_200)],
    "accounts/logout/": [
        Case(at("logout"), GET_ONLY, post=expect((ROLES, REDIRECT))),
    ],
    "accounts/password_change/": [
        Case(
            at("password_change"),
            expect(("anonymous", LOGIN), (SIGNED_IN, 200)),
            post=expect(("anonymous", LOGIN), (SIGNED_IN, 200)),
        )
    ],
    "accounts/password_change/done/": [
        Case(at("password_change_done"), expect(("anonymous", LOGIN), (SIGNED_IN, 200)))
    ],
    # The officials' idle-session warning: the keep-alive answers officials only (401 to a
    # session that has ended), the page after the end sends a visitor to log in and anyone
    # signed in back to where they were.
    "accounts/session/keep-alive/": [
        Case(
            at("session_keep_alive"),
            GET_ONLY,
            post=expect(("anonymous", 401), (ENTERPRISES, 403), (STAFF, 200)),
        )
    ],
    "accounts/session/ended/": [
        Case(
            lambda world: reverse("session_ended") + "?next=/portal/",
            expect(("anonymous", LOGIN), (SIGNED_IN, REDIRECT)),
            post=GET_ONLY,
        )
    ],
    # The second factor's pages. Everyone here gave their code (officials) or did not enrol
    # (enterprises): the code page sends them on; only the enterprises have something to enrol;
    # the recovery codes are shown once, right after an enrolment, and otherwise never.
    "accounts/second-factor/": [
        Case(
            at("security:verify"),
            expect(("anonymous", LOGIN), (SIGNED_IN, REDIRECT)),
            post=expect(("anonymous", LOGIN), (SIGNED_IN, REDIRECT)),
        )
    ],
    "accounts/second-factor/enrol/": [
        Case(
            at("security:enrol"),
            expect(("anonymous", LOGIN), (STAFF, REDIRECT), (ENTERPRISES, 200)),
            post=expect(("anonymous", LOGIN), (STAFF, REDIRECT), (ENTERPRISES, 200)),
            data={"code": "000000"},
        )
    ],
    "accounts/second-factor/recovery-codes/": [
        Case(
            at("security:recovery-codes"),
            expect(("anonymous", LOGIN), (SIGNED_IN, REDIRECT)),
            post=expect(("anonymous", LOGIN), (SIGNED_IN, 405)),
        )
    ],
    "accounts/password_reset/": [Case(at("password_reset"), EVERYONE_200, post=EVERYONE_200)],
    "accounts/password_reset/done/": [Case(at("password_reset_done"), EVERYONE_200)],
    "accounts/reset/<uidb64>/<token>/": [
        Case(at("password_reset_confirm", "MQ", "bad-token"), EVERYONE_200)
    ],
    "accounts/reset/done/": [Case(at("password_reset_complete"), EVERYONE_200)],
    "i18n/setlang/": [
        Case(at("set_language"), expect((ROLES, REDIRECT)), post=expect((ROLES, REDIRECT)))
    ],
    # The admin site's own pages.
    "admin/": [Case(at("admin:index"), admin_expect((STAFF, 200)))],
    "admin/login/": [
        Case(at("admin:login"), expect((NOT_STAFF, 200), (STAFF, REDIRECT))),
    ],
    "admin/logout/": [
        # Whoever is not staff is sent to the admin's index (and from there to its login).
        Case(
            at("admin:logout"),
            expect((NOT_STAFF, REDIRECT), (STAFF, 405)),
            post=expect((ROLES, REDIRECT)),
        )
    ],
    "admin/password_change/": [
        Case(
            at("admin:password_change"), admin_expect((STAFF, 200)), post=admin_expect((STAFF, 200))
        )
    ],
    "admin/password_change/done/": [
        Case(at("admin:password_change_done"), admin_expect((STAFF, 200)))
    ],
    "admin/autocomplete/": [
        # The user form's enterprise field: enterprises are the administrator's to list.
        Case(
            lambda world: (
                reverse("admin:autocomplete")
                + "?app_label=enterprises&model_name=user&field_name=enterprise&term="
            ),
            admin_expect((STAFF, 403), ("administrator", 200)),
        ),
        # The window form's measure field: everyone who may view measures.
        Case(
            lambda world: (
                reverse("admin:autocomplete")
                + "?app_label=measures&model_name=applicationwindow&field_name=measure&term="
            ),
            admin_expect((STAFF, 200), (SECURITY_AND_AUDIT, 403)),
        ),
    ],
    "admin/jsi18n/": [Case(at("admin:jsi18n"), admin_expect((STAFF, 200)))],
    "admin/r/<path:content_type_id>/<path:object_id>/": [
        # No model has a public address: nothing to redirect to, for anyone.
        Case(
            lambda world: reverse(
                "admin:view_on_site",
                args=[_content_type_id(world.a_approved), world.a_approved.pk],
            ),
            admin_expect((STAFF, 404)),
        )
    ],
    r"admin/^(?P<app_label>axes|measures|departments|enterprises|applications|reviews|django_celery_beat|disbursements|publicity|ratings|security)/$": [
        Case(
            at("admin:app_list", "applications"),
            admin_expect((STAFF, 200), ("security_administrator", 404)),
        ),
        Case(
            at("admin:app_list", "enterprises"),
            # The auditor reads the enterprises' reports against the departments' data.
            admin_expect((STAFF, 404), (ADMIN, 200), (SECURITY, 200), (AUDITOR, 200)),
        ),
        Case(at("admin:app_list", "axes"), admin_expect((STAFF, 404), (SECURITY_AND_AUDIT, 200))),
        Case(
            at("admin:app_list", "disbursements"),
            admin_expect((STAFF, 404), (BATCH_VIEWERS, 200), (AUDITOR, 200)),
        ),
        Case(
            at("admin:app_list", "publicity"),
            admin_expect((STAFF, 404), (ADMIN, 200), (AUDITOR, 200)),
        ),
        Case(at("admin:app_list", "ratings"), admin_expect((STAFF, 404), ("administrator", 200))),
        Case(
            at("admin:app_list", "departments"),
            admin_expect((STAFF, 404), (ADMIN, 200), (AUDITOR, 200)),
        ),
        Case(
            at("admin:app_list", "security"),
            admin_expect((STAFF, 404), (THREE_ADMINISTRATORS, 200)),
        ),
    ],
    "admin/(?P<url>.*)$": [Case(literal("/admin/no/such/page/"), admin_expect((STAFF, 404)))],
    # 部门数据's upload: a preview posted empty is shown again with its errors.
    "admin/departments/importbatch/import/": [
        Case(
            at("admin:departments_importbatch_import"),
            admin_expect((STAFF, 403), (ADMIN, 200)),
            post=admin_expect((STAFF, 403), (ADMIN, 200)),
        )
    ],
    # An import's confirmation, by the administrator who uploaded the file: asked for by a
    # post, back to the job's page.
    "admin/departments/importjob/<path:object_id>/confirm/": [
        Case(
            at("admin:departments_importjob_confirm", "import_job.pk"),
            admin_expect((STAFF, 403), (ADMIN, REDIRECT)),
            post=admin_expect((STAFF, 403), (ADMIN, REDIRECT)),
        )
    ],
    # A batch's roll-back: asked for, then done (back to the batch's page).
    "admin/departments/importbatch/<path:object_id>/rollback/": [
        Case(
            at("admin:departments_importbatch_rollback", "import_batch.pk"),
            admin_expect((STAFF, 403), (ADMIN, 200)),
            post=admin_expect((STAFF, 403), (ADMIN, REDIRECT)),
        )
    ],
    **MODEL_ADMINS,
    # The reviewers' decision page, on A's application awaiting district review.
    "admin/applications/application/<path:object_id>/decide/<str:transition>/": [
        Case(
            at("admin:applications_application_decide", "a_review.pk", "district_approve"),
            admin_expect((STAFF, 404), ("district_a", 200), ("administrator", 403)),
            post=admin_expect((STAFF, 404), ("district_a", 200), ("administrator", 403)),
        ),
        # On the approved one: nothing left to decide, for whoever sees it.
        Case(
            at("admin:applications_application_decide", "a_approved.pk", "municipal_approve"),
            admin_expect((STAFF, REDIRECT), *OUT_OF_SCOPE_404, (SECURITY_AND_AUDIT, 404)),
        ),
    ],
    # Finance's batch pages, on the frozen batch the preparer made and on the preparer's
    # draft. A transition the batch cannot take now offers no form: whoever sees batches is
    # sent back to it with the reason.
    "admin/disbursements/disbursementbatch/<path:object_id>/freeze/": [
        Case(
            at("admin:disbursements_freeze", "batch.pk"),
            admin_expect((STAFF, 403), (BATCH_VIEWERS, REDIRECT)),
            post=admin_expect((STAFF, 403), (BATCH_VIEWERS, REDIRECT)),
        ),
        Case(
            at("admin:disbursements_freeze", "draft_batch.pk"),
            admin_expect((STAFF, 403), ("finance_preparer", 200)),
            post=admin_expect((STAFF, 403), ("finance_preparer", REDIRECT)),
        ),
    ],
    "admin/disbursements/disbursementbatch/<path:object_id>/mark-paid/": [
        Case(
            at("admin:disbursements_mark_paid", "batch.pk"),
            admin_expect((STAFF, 403), ("finance_confirmer", 200)),
            post=admin_expect((STAFF, 403), ("finance_confirmer", 200)),
        ),
        Case(
            at("admin:disbursements_mark_paid", "draft_batch.pk"),
            admin_expect((STAFF, 403), (BATCH_VIEWERS, REDIRECT)),
            post=admin_expect((STAFF, 403), (BATCH_VIEWERS, REDIRECT)),
        ),
    ],
    # Voiding: a draft by its preparer or an administrator; a frozen batch by a second person.
    "admin/disbursements/disbursementbatch/<path:object_id>/cancel/": [
        Case(
            at("admin:disbursements_cancel", "batch.pk"),
            admin_expect((STAFF, 403), ("finance_confirmer", 200), ("administrator", 200)),
            post=admin_expect((STAFF, 403), ("finance_confirmer", 200), ("administrator", 200)),
        ),
        Case(
            at("admin:disbursements_cancel", "draft_batch.pk"),
            admin_expect((STAFF, 403), ("finance_preparer", 200), ("administrator", 200)),
            post=admin_expect((STAFF, 403), ("finance_preparer", 200), ("administrator", 200)),
        ),
    ],
    "admin/disbursements/disbursementbatch/<path:object_id>/remove/": [
        Case(
            at("admin:disbursements_remove_lines", "batch.pk"),
            admin_expect((STAFF, 403), ("finance_preparer", REDIRECT)),
            post=admin_expect((STAFF, 403), ("finance_preparer", REDIRECT)),
        )
    ],
    "admin/disbursements/disbursementbatch/<path:object_id>/export/<str:export_format>/": [
        Case(
            at("admin:disbursements_export", "batch.pk", "csv"),
            admin_expect((STAFF, 403), (BATCH_VIEWERS, 200)),
        )
    ],
}


def _content_type_id(obj) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


def url_patterns(patterns=None, prefix: str = ""):
    """Every pattern the resolver knows, as its full route."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, route)
        else:
            assert isinstance(pattern, URLPattern)
            yield route


def test_every_url_pattern_has_a_rule():
    routes = list(url_patterns())
    assert len(routes) == len(set(routes))
    missing = sorted(set(routes) - set(RULES))
    assert not missing, f"URL patterns without an authorization rule: {missing}"
    stale = sorted(set(RULES) - set(routes))
    assert not stale, f"rules for URL patterns that no longer exist: {stale}"


# ── the matrix ─────────────────────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The people and objects, made once for the module in a transaction rolled back at its
    end; each test runs in a savepoint inside it. The world's audit records are sealed and
    verified here, once: left unsealed, every test would seal and verify them again
    (audit_chain_holds), only to roll them back."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        start = head()
        built = build_world()
        built.sessions = _signed_in(built.users)
        seal()
        result = verify(after=start)
        assert result.ok, f"the audit trail's chain breaks: {result.broken}"
        built.media = media
        yield built
        transaction.set_rollback(True)


def _signed_in(users: dict) -> dict:
    """Each official's session key, signed in once for the module as the test client's
    ``force_login`` signs in (tests/conftest.py): the session is in the database when each
    test starts, and whatever a test does to it is rolled back with the test. Enterprises sign
    in in their tests: a sign-in clears its username's failed attempts (django-axes), and the
    world keeps one of enterprise A's for the login records' pages."""
    sessions = {}
    for role, user in users.items():
        if not user.is_staff:
            continue
        signing_in = Client()
        signing_in.force_login(user)
        second_factor_given(signing_in, user)
        sessions[role] = signing_in.cookies[settings.SESSION_COOKIE_NAME].value
    return sessions


def _sign_in(client, world, role: str) -> None:
    """The client as ``role`` signed in a moment ago: an official by the session made with
    the world, its last-seen time (officials time out when idle) as a new sign-in sets it."""
    if role not in world.sessions:
        client.force_login(world.users[role])
        return
    key = world.sessions[role]
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    session = import_module(settings.SESSION_ENGINE).SessionStore(key)
    session[LAST_SEEN] = int(time.time())
    session.save()


@pytest.fixture(scope="module")
def client():
    """One client for the module: a new one loads the middleware again, WhiteNoise's scan of
    every static file included, which would cost more than the request itself."""
    return Client()


@pytest.fixture
def media_root(settings, request):
    """The world's files, for the tests that use the world (no folder of their own to make and
    remove, 1,800 times); the table checks get a temporary one."""
    if "world" not in request.fixturenames:
        settings.MEDIA_ROOT = request.getfixturevalue("tmp_path") / "media"
        return settings.MEDIA_ROOT
    world = request.getfixturevalue("world")
    settings.MEDIA_ROOT = world.media
    return world.media


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def _check(response, answer, *, world, role: str, label: str) -> None:
    status = response.status_code
    if answer in (LOGIN, ADMIN_LOGIN, REDIRECT):
        assert status == 302, f"{label}: {status}, expected {answer}"
        location = response["Location"]
        login_page = reverse("login" if answer == LOGIN else "admin:login")
        if answer == REDIRECT:
            assert reverse("login") not in location and reverse("admin:login") not in location, (
                f"{label}: sent to log in ({location}), expected another redirect"
            )
        else:
            assert location.startswith(login_page), f"{label}: to {location}, expected {answer}"
    else:
        assert status == answer, f"{label}: {status}, expected {answer}"
    body = _body(response)
    leaked = sorted(marker for marker in world.forbidden[role] if marker in body)
    assert not leaked, f"{label}: the body shows {leaked}"
    if label.startswith("GET") and status == 200 and "html" in response.get("Content-Type", ""):
        # Every page anyone reaches reads in Chinese: the site's language.
        english = english_on_page(body, allowed=world.ascii_names)
        assert not english, f"{label}: English on a zh-hans page: {english}"


MATRIX = [
    pytest.param(route, index, role, id=f"{route}#{index}-{role}")
    for route, cases in RULES.items()
    for index in range(len(cases))
    for role in ROLES
]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "index", "role"), MATRIX)
def test_each_role_gets_what_the_rule_says(route, index, role, world, client, settings):
    settings.DISBURSEMENT_ADMINISTRATORS_MAY_CONFIRM = False
    case = RULES[route][index]
    client.cookies.clear()
    if role != "anonymous":
        _sign_in(client, world, role)
    url = case.url(world)
    _check(client.get(url), case.get[role], world=world, role=role, label=f"GET {url} as {role}")
    if case.post is not None:
        if case.json is not None:
            response = client.post(url, case.json, content_type="application/json")
        else:
            data = case.data(world) if callable(case.data) else case.data
            response = client.post(url, data or {})
        _check(response, case.post[role], world=world, role=role, label=f"POST {url} as {role}")


@pytest.mark.django_db
def test_the_markers_are_on_the_pages_that_may_show_them(world, client):
    """The search for leaks means something only if the pages print what it searches for."""
    client.cookies.clear()
    client.force_login(world.users["enterprise_a"])
    home = _body(client.get(reverse("applications:home")))
    assert world.a_review.reference in home
    assert world.a_draft.reference_label in home
    library = _body(client.get(reverse("applications:library")))
    documents = _body(client.get(reverse("applications:documents", args=[world.a_draft.pk])))
    assert "甲标记材料库" in library and "甲标记材料库" in documents
    rejected = _body(client.get(reverse("applications:detail", args=[world.a_rejected.pk])))
    assert RATING_A in rejected
    client.force_login(world.users["administrator"])
    assert RATING_A in _body(client.get(reverse("admin:ratings_rating_changelist")))
    listed = _body(client.get(reverse("admin:applications_application_changelist") + "?queue=all"))
    assert all(
        marker in listed
        for marker in (world.a_review.reference, world.b_review.reference, "甲标记", "乙标记")
    )
