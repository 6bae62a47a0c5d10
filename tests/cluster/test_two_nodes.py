"""Two of everything: two gunicorn web nodes and two Celery workers on one PostgreSQL (through
PgBouncer), one Redis and one S3 server, all on loopback with the production settings
(tests/cluster/harness.py). What one node stores, the other serves; what one records, the other
shows; a node killed under load loses nothing; and every notice goes out once, whichever worker
takes it.

One test takes the steps in order (the kill after the steps that need both nodes, the counts
after the kill): they share the cluster and what each step left, and a test of its own would be
free to run in the other pytest-xdist worker, which would start a second cluster (xdist's
``loadgroup`` cannot keep tests together with this pytest, whose node ids it no longer changes).
"""

import hashlib
import os
import random
import re
import threading
import time
from collections import Counter
from email import message_from_string
from email.header import decode_header, make_header
from urllib.parse import quote, urlsplit

import pytest
import requests

from tests.cluster.harness import Cluster, Visitor, redis_of_the_cluster

pytestmark = [
    pytest.mark.cluster,
    # Not for the test process's own use: the nodes' database is a copy of the test database,
    # which pytest-django creates only for a session that has a test marked so.
    pytest.mark.django_db,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="the nodes share a PostgreSQL database (DATABASE_URL); CI runs it there",
    ),
]

FIGURES = {"annual_purchase_amount": "180000000", "new_purchase_amount": "45000000"}
FIGURES_PATH = re.compile(r"/portal/applications/(\d+)/figures/")
DOWNLOAD = re.compile(r"/portal/documents/(\d+)/")
AMOUNT_INPUT = re.compile(r'<input[^>]*name="amount"[^>]*>')
VALUE = re.compile(r'value="([^"]*)"')
BATCH_PATH = re.compile(r"/admin/disbursements/disbursementbatch/(\d+)/change/")
# A scan-sized PDF whose every byte is checked on the way back: a fixed head (no markup for
# the upload checks to find), then seeded random bytes.
PDF = (
    b"%PDF-1.4\n% two-node test\n1 0 obj << /Length 300000 >> stream\n"
    + random.Random(24).randbytes(300_000)
    + b"\nendstream endobj\ntrailer <<>>\n%%EOF\n"
)


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the nodes share a PostgreSQL database")
    running = Cluster(
        tmp_path_factory.mktemp("cluster"),
        connection.settings_dict,
        redis_of_the_cluster(os.environ.get("REDIS_URL", "")),
    )
    try:
        with django_db_blocker.unblock():
            running.start()
        yield running
    finally:
        running.stop()


def official(cluster, role: str, node: str) -> Visitor:
    username = cluster.data[role]
    return Visitor(username).log_in(node, admin=True, device_key=cluster.data["devices"][username])


def submitted_on_node_a(cluster, node_a) -> dict:
    """An application made, filled in, given its documents and submitted on node A, as an
    enterprise does in the portal."""
    applicant = Visitor(cluster.data["applicant"]).log_in(node_a)
    window = cluster.data["window"]
    form = applicant.get(node_a, "/portal/apply/")
    assert f'name="window" value="{window}"' in form.text
    answer = applicant.post(
        node_a,
        "/portal/apply/",
        {
            "csrfmiddlewaretoken": applicant.form(node_a, "/portal/apply/"),
            "window": window,
            "track": cluster.data["track"],
        },
    )
    pk = int(FIGURES_PATH.fullmatch(urlsplit(answer.headers["Location"]).path).group(1))
    base = f"/portal/applications/{pk}"
    answer = applicant.post(
        node_a,
        f"{base}/figures/",
        {"csrfmiddlewaretoken": applicant.form(node_a, f"{base}/figures/"), **FIGURES},
    )
    assert answer.status_code == 302, answer.text[:500]
    for number, kind in enumerate(cluster.data["documents"]):
        content = PDF if number == 0 else b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
        answer = applicant.post(
            node_a,
            f"{base}/documents/",
            {"csrfmiddlewaretoken": applicant.form(node_a, f"{base}/documents/"), "kind": kind},
            files={"file": (f"材料-{number}.pdf", content, "application/pdf")},
        )
        assert answer.status_code == 302, answer.text[:500]
    answer = applicant.post(
        node_a,
        f"{base}/submit/",
        {"csrfmiddlewaretoken": applicant.form(node_a, f"{base}/review/")},
    )
    assert urlsplit(answer.headers["Location"]).path == f"{base}/"
    assert "申报已提交，等待区县审核。" in applicant.get(node_a, f"{base}/").text
    return {"pk": pk, "applicant": applicant}


def a_document_uploaded_on_one_node_downloads_byte_identical_from_the_other(
    cluster, submitted, node_b
):
    applicant, pk = submitted["applicant"], submitted["pk"]

    page = applicant.get(node_b, f"/portal/applications/{pk}/")
    downloads = DOWNLOAD.findall(page.text)
    assert downloads, "node B does not list the documents node A stored"
    answer = applicant.session.get(
        f"{node_b}/portal/documents/{min(map(int, downloads))}/", timeout=60
    )

    assert answer.status_code == 200
    assert hashlib.sha256(answer.content).hexdigest() == hashlib.sha256(PDF).hexdigest()
    assert quote("材料-0.pdf") in answer.headers["Content-Disposition"]


def a_reviewer_on_the_other_node_decides_what_was_submitted_on_the_first(
    cluster, submitted, node_a, node_b
):
    pk = submitted["pk"]
    reviewer = official(cluster, "reviewer", node_b)
    decide = f"/admin/applications/application/{pk}/decide/district_approve/"
    form = reviewer.get(node_b, decide)
    assert form.status_code == 200
    amount = VALUE.search(AMOUNT_INPUT.search(form.text).group(0)).group(1)

    answer = reviewer.post(
        node_b,
        decide,
        {
            "csrfmiddlewaretoken": reviewer.form(node_b, decide),
            "amount": amount,
            "comment": "材料齐全，数据属实，同意。",
            "comment_public": "on",
        },
    )

    assert answer.status_code == 302
    # Node A shows the decision node B took.
    page = reviewer.get(node_a, f"/admin/applications/application/{pk}/change/")
    assert re.search(r"CQJX-\d{4}-\d{2}-\d{6}：区县审核通过。", page.text)
    found = cluster.tool("inspect", applications=[pk], after=cluster.data["last_log_entry"])
    assert found["states"][str(pk)] == "municipal_review"


def a_batch_exported_on_one_node_is_recorded_on_the_other(cluster, node_a, node_b):
    finance = official(cluster, "finance", node_a)
    batch = cluster.data["batch"]
    change = f"/admin/disbursements/disbursementbatch/{batch['pk']}/change/"
    assert finance.get(node_b, change).status_code == 200

    exported = finance.get(
        node_a, f"/admin/disbursements/disbursementbatch/{batch['pk']}/export/csv/"
    )
    assert exported.status_code == 200
    fingerprint = hashlib.sha256(exported.content).hexdigest()

    # The export's record, with the fingerprint of what node A handed out, on node B's page.
    assert f"<code>{fingerprint}</code>" in finance.get(node_b, change).text

    # And a batch made on node B is on node A's list.
    answer = finance.post(
        node_b,
        "/admin/disbursements/disbursementbatch/add/",
        {
            "csrfmiddlewaretoken": finance.form(
                node_b, "/admin/disbursements/disbursementbatch/add/"
            ),
            "note": "两节点测试",
        },
    )
    assert answer.status_code == 302
    created = BATCH_PATH.search(answer.headers["Location"]).group(1)
    listing = finance.get(node_a, "/admin/disbursements/disbursementbatch/")
    assert f"/admin/disbursements/disbursementbatch/{created}/change/" in listing.text


class Load:
    """The load's clients, each an enterprise submitting its drafts on the nodes in turn, as a
    load balancer spreads them; a client whose node does not answer sends the request to the
    other, as the balancer would once its health check fails."""

    def __init__(self, cluster, nodes):
        self.cluster = cluster
        self.nodes = nodes
        self.lock = threading.Lock()
        self.accepted = []  # (application, node, after the kill)
        self.refused_connections = Counter()  # node → connections refused or dropped
        self.served_after_kill = Counter()
        self.killed = threading.Event()
        self.errors = []

    def send(self, visitor, number, method, path, **kwargs):
        node = self.nodes[number % 2]
        for candidate in (node, *[n for n in self.nodes if n != node]):
            try:
                answer = getattr(visitor, method)(candidate, path, **kwargs)
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
                with self.lock:
                    self.refused_connections[candidate] += 1
                continue
            if self.killed.is_set():
                with self.lock:
                    self.served_after_kill[candidate] += 1
            return candidate, answer
        raise AssertionError(f"no node answered {method} {path}")

    def client(self, index, entry):
        try:
            visitor = Visitor(entry["username"])
            number = index
            while True:
                try:
                    visitor.log_in(self.nodes[number % 2])
                    break
                except requests.ConnectionError:
                    number += 1
            for pk in entry["drafts"]:
                number += 1
                base = f"/portal/applications/{pk}"
                _node, page = self.send(visitor, number, "get", f"{base}/review/")
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
                node, answer = self.send(
                    visitor,
                    number + 1,
                    "post",
                    f"{base}/submit/",
                    data={"csrfmiddlewaretoken": token.group(1)},
                )
                assert answer.status_code == 302, (answer.status_code, answer.text[:300])
                with self.lock:
                    self.accepted.append((pk, node, self.killed.is_set()))
                self.send(visitor, number, "get", "/portal/")
        except Exception as error:  # noqa: BLE001 - reported by the test
            self.errors.append(f"{entry['username']}: {error!r}")


def a_node_killed_mid_load_loses_nothing_and_the_other_goes_on(cluster, node_a, node_b):
    load = Load(cluster, [node_a, node_b])
    entries = cluster.data["load"]
    drafts = [pk for entry in entries for pk in entry["drafts"]]
    threads = [
        threading.Thread(target=load.client, args=(index, entry), daemon=True)
        for index, entry in enumerate(entries)
    ]
    for thread in threads:
        thread.start()
    # The kill, once a quarter of the submissions were accepted.
    deadline = time.monotonic() + 120
    while len(load.accepted) < len(drafts) // 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    accepted_before = len(load.accepted)
    load.killed.set()
    cluster.process("web-1").kill()
    for thread in threads:
        thread.join(timeout=180)

    assert load.errors == []
    assert 0 < accepted_before < len(drafts), "the kill did not come in the middle of the load"
    assert load.refused_connections[node_a] > 0, "no request found node A gone"
    assert load.served_after_kill[node_b] > 0
    # Every submission accepted is in the database, once: one submit in each log, none twice.
    assert sorted(pk for pk, _node, _after in load.accepted) == sorted(drafts)
    found = cluster.tool("inspect", applications=drafts, after=cluster.data["last_log_entry"])
    assert set(found["states"].values()) == {"district_review"}
    submits = Counter(e["application"] for e in found["entries"] if e["transition"] == "submit")
    assert {pk: submits[pk] for pk in drafts} == dict.fromkeys(drafts, 1)


def _emails(folder) -> list[tuple[str, str]]:
    """(recipient, subject) of every message the workers wrote (Django's file backend ends
    each with a line of 79 dashes)."""
    sent = []
    for path in sorted(folder.iterdir()):
        for text in path.read_text().split("-" * 79 + "\n"):
            if text.strip():
                message = message_from_string(text)
                sent.append((message["To"], str(make_header(decode_header(message["Subject"])))))
    return sent


def every_notice_is_sent_once_though_two_workers_take_them(cluster, submitted):
    after = cluster.data["last_log_entry"]
    applications = [submitted["pk"]] + [pk for e in cluster.data["load"] for pk in e["drafts"]]
    started = time.monotonic()
    redelivered = False
    while True:
        found = cluster.tool("inspect", applications=applications, after=after)
        settled = all(
            entry["delivered"] and all(notice["emailed"] for notice in entry["notices"])
            for entry in found["entries"]
        )
        if settled or time.monotonic() > started + 60:
            break
        if not redelivered and time.monotonic() > started + 5:
            # An event node A committed just before it died, its task never published: what
            # beat's 送达遗漏的通知 hands on a minute later (the workers skip what one holds).
            cluster.tool("redeliver")
            redelivered = True
        time.sleep(0.5)

    entries = found["entries"]
    # The submission of the first test, its district approval, and the load's submissions.
    assert len(entries) == 2 + sum(len(e["drafts"]) for e in cluster.data["load"])
    assert all(entry["has_event"] and entry["delivered"] for entry in entries)
    for entry in entries:
        recipients = sorted(notice["recipient"] for notice in entry["notices"])
        assert recipients == entry["expected"], entry
        assert all(notice["emailed"] for notice in entry["notices"]), entry
    expected_mail = Counter(notice["email"] for entry in entries for notice in entry["notices"])
    sent = _emails(cluster.mail)
    assert Counter(to for to, _subject in sent) == expected_mail
    # Both workers took their share.
    for number in (1, 2):
        assert b" succeeded in " in cluster.process(f"worker-{number}").log.read_bytes()


def the_nodes_write_no_file_of_their_own(cluster):
    assert cluster.data["storage"] == "storages.backends.s3.S3Storage"
    assert cluster.media_files() == []
    assert cluster.bucket_keys(), "nothing reached the bucket"


def the_nodes_reach_the_database_through_pgbouncer(cluster):
    assert cluster.pooled, "scripts/pgbouncer.sh is missing"
    assert cluster.env["DATABASE_POOLING"] == "transaction"
    assert cluster.pooled_transactions() > 100


def test_two_web_nodes_and_two_workers_serve_as_one_site_and_lose_nothing(cluster):
    node_a, node_b = cluster.nodes
    submitted = submitted_on_node_a(cluster, node_a)

    a_document_uploaded_on_one_node_downloads_byte_identical_from_the_other(
        cluster, submitted, node_b
    )
    a_reviewer_on_the_other_node_decides_what_was_submitted_on_the_first(
        cluster, submitted, node_a, node_b
    )
    a_batch_exported_on_one_node_is_recorded_on_the_other(cluster, node_a, node_b)
    a_node_killed_mid_load_loses_nothing_and_the_other_goes_on(cluster, node_a, node_b)
    every_notice_is_sent_once_though_two_workers_take_them(cluster, submitted)
    the_nodes_write_no_file_of_their_own(cluster)
    the_nodes_reach_the_database_through_pgbouncer(cluster)
