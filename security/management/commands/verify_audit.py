"""Recompute the audit trail's chain and name the first record that does not follow from the
one before it (edited, removed or moved); exit status 1 then. ``--anchor SEQ:HASH``, a head
printed by an earlier run and kept elsewhere, must still be in the chain."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from security.audit.chain import seal, verify


class Command(BaseCommand):
    help = _("校验审计记录链：逐条重算摘要，指出第一条断开的记录。")

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor",
            help=_("此前记下的链尾“序号:摘要”，校验其仍在链中（可发现从末尾删除的记录）。"),
        )
        parser.add_argument("--no-seal", action="store_true", help=_("不先封存尚未入链的记录。"))

    def handle(self, *args, anchor=None, no_seal=False, **options):
        if not no_seal:
            seal()
        result = verify(anchor=_anchor(anchor) if anchor else None)
        if result.broken:
            where = result.broken
            self.stderr.write(
                _(
                    "审计记录链在 #%(seq)s（记录编号 %(id)s）处断开：%(reason)s。此前 %(checked)s 条校验通过。"
                )
                % {
                    "seq": where.seq,
                    "id": where.record_id if where.record_id is not None else "—",
                    "reason": where.reason,
                    "checked": result.checked,
                }
            )
            raise SystemExit(1)
        self.stdout.write(
            _(
                "审计记录链校验通过：共 %(checked)s 条，链尾 #%(seq)s %(hash)s；尚未封存 %(unsealed)s 条。"
            )
            % {
                "checked": result.checked,
                "seq": result.head_seq,
                "hash": result.head_hash or "—",
                "unsealed": result.unsealed,
            }
        )


def _anchor(text: str) -> tuple[int, str]:
    seq, _colon, hash_ = text.partition(":")
    if not seq.isdigit() or len(hash_) != 64:
        raise CommandError(_("锚点应为“序号:摘要”，例如 1024:3f5a…（64位十六进制）。"))
    return int(seq), hash_.lower()
