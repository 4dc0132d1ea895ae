"""Snapshots through Close's Export API, waiting in the triggerer (no worker slot).

For first loads and for history older than the event log's 30 days: the operator starts an
export (``POST /export/lead/`` or ``/export/opportunity/``, JSON format), defers to
:class:`~airflow_provider_close.triggers.export.CloseExportTrigger` until Close has finished
it, then streams the gzip file into object storage, written atomically.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict, get_args

from airflow.sdk import Context, ObjectStoragePath

from airflow_provider_close.assets import record_file_events
from airflow_provider_close.lineage import CloseData, CloseLineageMixin, Data, FileData
from airflow_provider_close.operators._base import CloseBaseOperator
from airflow_provider_close.operators.extract import atomic_path

__all__ = ["CloseExportOperator", "ExportObjectType", "ExportResult"]

#: What Close exports.
ExportObjectType = Literal["lead", "opportunity"]
_OBJECT_TYPES: tuple[str, ...] = get_args(ExportObjectType)


class ExportResult(TypedDict):
    """What the operator pushes to XCom (return value).

    :param path: where the gzip file (a JSON array) was written.
    :param export_id: Close's export id.
    :param object_type: ``lead`` or ``opportunity``.
    :param bytes: size of the file written.
    """

    path: str
    export_id: str
    object_type: str
    bytes: int


class CloseExportError(RuntimeError):
    """Close could not finish the export, or the wait for it failed."""


class CloseExportOperator(CloseLineageMixin, CloseBaseOperator):
    """Export leads or opportunities from Close and store the gzip file (a JSON array).

    ``lead`` exports take Close's lead export options in ``export_params`` (``type`` leads |
    contacts | lead_opps, ``s_query``, ``results_limit``, ``sort``, ``fields``,
    ``include_activities``, ...); ``opportunity`` exports take ``{"params": {<opportunity
    list filters>}, "fields": [...]}``. ``format`` is always ``json`` and Close sends no
    e-mail. The wait happens in the triggerer; the download streams (flat memory) to a
    temporary file that replaces ``path`` only when complete. A retry starts a new export
    (exports only read). Pushes :class:`ExportResult` to XCom; the same values become the
    ``extra`` of the events of its Asset ``outlets``. OpenLineage: reads
    ``close://<organization_id>`` ``lead`` or ``opportunity``, writes the file.

    :param path: destination file: local path or any ``ObjectStoragePath`` URL, e.g.
        ``s3://lake/close/leads-{{ ds }}.json.gz`` (templated).
    :param object_type: ``lead`` or ``opportunity``.
    :param export_params: more fields of the export request (templated).
    :param poll_interval: seconds between status checks in the triggerer.
    :param storage_conn_id: Airflow connection for the object store, if the URL needs one.
    :param close_conn_id: Airflow connection to Close (templated).
    """

    template_fields: Sequence[str] = ("close_conn_id", "path", "export_params")

    def __init__(
        self,
        *,
        path: str,
        object_type: ExportObjectType,
        export_params: Mapping[str, Any] | None = None,
        poll_interval: float = 30.0,
        storage_conn_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if object_type not in _OBJECT_TYPES:
            raise ValueError(
                f"object_type must be one of {list(_OBJECT_TYPES)}, got {object_type!r}"
            )
        if poll_interval <= 0:
            raise ValueError(f"poll_interval must be positive, got {poll_interval!r}")
        self.path = path
        self.object_type = object_type
        self.export_params = dict(export_params or {})
        self.poll_interval = poll_interval
        self.storage_conn_id = storage_conn_id

    def execute(self, context: Context) -> None:  # noqa: ARG002
        """Start the export and defer until Close has finished it."""
        from airflow_provider_close.triggers.export import CloseExportTrigger

        if not isinstance(self.export_params, Mapping) or "format" in self.export_params:
            raise ValueError("export_params must be a mapping without 'format' (always json)")
        body = {**self.export_params, "format": "json", "send_done_email": False}
        export = self.hook.client.post(f"export/{self.object_type}/", body)
        export_id = str(export["id"])
        self.log.info("Started Close export %s of %ss", export_id, self.object_type)
        trigger = CloseExportTrigger(
            close_conn_id=self.close_conn_id, export_id=export_id, poll_interval=self.poll_interval
        )
        self.defer(trigger=trigger, method_name="execute_complete")

    def execute_complete(
        self,
        context: Context,
        event: Mapping[str, Any],
    ) -> ExportResult:
        """Store the finished export's file; return where (pushed to XCom)."""
        from airflow_provider_close.client.downloads import iter_download

        if event.get("status") != "success":
            raise CloseExportError(f"Close export failed: {event.get('message')}")
        export_id = str(event["export_id"])
        export = self.hook.client.get(f"export/{export_id}/")
        url = export.get("download_url")
        if export.get("status") != "done" or not url:
            raise CloseExportError(
                f"Close export {export_id} has no file (status {export.get('status')!r})"
            )
        target = ObjectStoragePath(self.path, conn_id=self.storage_conn_id)
        size = 0
        with atomic_path(target) as temporary, temporary.open("wb") as stream:  # type: ignore[no-untyped-call]
            for chunk in iter_download(str(url)):
                stream.write(chunk)
                size += len(chunk)
        self.log.info("Stored Close export %s (%s bytes) at %s", export_id, size, target)
        result = ExportResult(
            path=str(target), export_id=export_id, object_type=self.object_type, bytes=size
        )
        record_file_events(context, self.outlets, result)
        return result

    def lineage_datasets(self, task_instance: Any | None) -> tuple[list[Data], list[Data]]:  # noqa: ARG002
        """Return the object type exported and the file written (OpenLineage)."""
        return [CloseData(self.object_type)], [FileData(self.path, self.storage_conn_id)]
