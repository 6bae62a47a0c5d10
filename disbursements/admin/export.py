"""The batch's list for the bank or the treasury, streamed as a download."""

from django.http import Http404, StreamingHttpResponse
from django.utils.http import content_disposition_header

from policy_portal.signals import security_event

from ..exports import CONTENT_TYPES, ExportNotAllowed, batch_export, export_filename


class BatchExportView:
    """For the batch admin: needs its ``_batch``."""

    def export_view(self, request, object_id, export_format):
        batch = self._batch(request, object_id)
        try:
            blocks = batch_export(
                batch=batch, export_format=export_format, by=request.user, request=request
            )
        except ExportNotAllowed as error:
            raise Http404 from error
        security_event.send(
            sender=__name__,
            kind="export",
            user=request.user,
            request=request,
            target=batch,
            detail={"format": export_format, "lines": batch.line_count},
        )
        response = StreamingHttpResponse(blocks, content_type=CONTENT_TYPES[export_format])
        response["Content-Disposition"] = content_disposition_header(
            True, export_filename(batch, export_format)
        )
        return response
