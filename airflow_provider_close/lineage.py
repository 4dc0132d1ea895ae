"""OpenLineage datasets for the operators that move data (optional: nothing here needs it).

The data-moving operators (extractions, change extraction, lists to files, bulk upserts and
activities, exports) describe what they read and write as small plain values:

* :class:`CloseData`: objects of one type in one Close organisation. OpenLineage dataset
  ``namespace="close://<organization_id>"``, ``name="<object type>"`` (``lead``,
  ``activity.call``, ``custom_field.lead``...). The organisation id comes from ``GET /me/``
  (the user the key belongs to, ``organizations[0].id``), fetched when Airflow first asks
  for lineage (at task run time, never at DAG parse) and cached on the operator.
* :class:`FileData`: a file, local or object storage, named through ``ObjectStoragePath``
  (``namespace="s3://bucket"``, ``name="key"``; local files ``namespace="file"``,
  ``name="/absolute/path"``, OpenLineage's convention).
* :class:`SqlData`: a query through an Airflow SQL connection, turned into tables by
  common-sql's own lineage (the hook's ``get_openlineage_database_info`` and OpenLineage's
  SQL parser); a hook without database info (SQLite) yields no table.

:class:`CloseLineageMixin` turns them into ``get_openlineage_facets_on_start`` and
``get_openlineage_facets_on_complete``. Everything from ``apache-airflow-providers-openlineage``
is imported inside those calls: without the provider (the ``openlineage`` extra), they return
``None`` and nothing else changes. Standard library only at import: operator modules import it
when DAG files are parsed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CLOSE_SCHEME",
    "CloseData",
    "CloseLineageMixin",
    "Data",
    "FileData",
    "SqlData",
    "close_namespace",
    "operator_lineage",
]

log = logging.getLogger(__name__)

#: The URI scheme of Close datasets' namespaces: ``close://<organization_id>``.
CLOSE_SCHEME = "close"
_ORG_CACHE_KEY = "_close_lineage_organization_id"


@dataclass(frozen=True)
class CloseData:
    """Objects of one type in the connection's Close organisation.

    :param object_type: the dataset name, e.g. ``lead`` or ``activity.call``.
    """

    object_type: str


@dataclass(frozen=True)
class FileData:
    """A file, local path or object storage URL.

    :param path: the rendered path or URL.
    :param conn_id: the object store's connection, if it needs one.
    """

    path: str
    conn_id: str | None = None


@dataclass(frozen=True)
class SqlData:
    """The tables a query reads, through an Airflow SQL connection.

    :param conn_id: the SQL connection.
    :param sql: the rendered query.
    """

    conn_id: str
    sql: str


Data = CloseData | FileData | SqlData


def close_namespace(organization_id: str) -> str:
    """Return the OpenLineage namespace of a Close organisation: ``close://<organization_id>``.

    :param organization_id: the ``orga_…`` id.
    """
    return f"{CLOSE_SCHEME}://{organization_id}"


class CloseLineageMixin:
    """Give a Close operator OpenLineage facets from :meth:`lineage_datasets`.

    Subclasses return ``(inputs, outputs)`` from rendered attributes (Airflow asks after
    rendering the templates); ``task_instance`` is ``None`` at start.
    """

    def lineage_datasets(
        self, task_instance: Any | None
    ) -> tuple[Sequence[Data], Sequence[Data]]:  # pragma: no cover - every operator overrides
        """Return what the task reads and writes."""
        raise NotImplementedError

    def get_openlineage_facets_on_start(self) -> Any:
        """Return the inputs and outputs (``OperatorLineage``; ``None`` without OpenLineage)."""
        return operator_lineage(self, *self.lineage_datasets(None))

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """Return the task's inputs and outputs once it ran (``OperatorLineage``, or ``None``)."""
        return operator_lineage(self, *self.lineage_datasets(task_instance))


def operator_lineage(operator: Any, inputs: Sequence[Data], outputs: Sequence[Data]) -> Any:
    """Return an ``OperatorLineage`` for the datasets, or ``None`` without the provider.

    :param operator: the Close operator (its hook reads the organisation; the id is cached).
    :param inputs: what it reads.
    :param outputs: what it writes.
    """
    try:
        from airflow.providers.openlineage.extractors import OperatorLineage
    except ImportError:
        return None
    return OperatorLineage(
        inputs=[ds for data in inputs for ds in _datasets(operator, data)],
        outputs=[ds for data in outputs for ds in _datasets(operator, data)],
    )


def _datasets(operator: Any, data: Data) -> list[Any]:
    from airflow.providers.common.compat.openlineage.facet import Dataset

    if isinstance(data, CloseData):
        organization_id = _organization_id(operator)
        if organization_id is None:
            return []
        return [Dataset(namespace=close_namespace(organization_id), name=data.object_type)]
    if isinstance(data, FileData):
        return [_file_dataset(data)]
    return _sql_datasets(data)


def _file_dataset(data: FileData) -> Any:
    from airflow.providers.common.compat.openlineage.facet import Dataset
    from airflow.sdk import ObjectStoragePath

    path = ObjectStoragePath(data.path, conn_id=data.conn_id)
    if path.protocol in ("", "file", "local"):
        return Dataset(namespace="file", name="/" + path.key.lstrip("/"))
    return Dataset(namespace=path.namespace, name=path.key)


def _sql_datasets(data: SqlData) -> list[Any]:
    from airflow.providers.common.compat.openlineage.utils.sql import (
        get_openlineage_facets_with_sql,
    )

    from airflow_provider_close.hooks.sql_connection import sql_hook

    try:
        hook = sql_hook(data.conn_id)
        lineage = get_openlineage_facets_with_sql(
            hook=hook, sql=data.sql, conn_id=data.conn_id, database=None
        )
    except Exception as err:  # an unreachable warehouse must not drop the other datasets
        log.warning("OpenLineage: no tables for connection %r: %s", data.conn_id, err)
        return []
    if lineage is None:
        log.info("Connection %r gives OpenLineage no database info: no table", data.conn_id)
        return []
    return list(lineage.inputs)


def _organization_id(operator: Any) -> str | None:
    """Return the organisation of the operator's connection (``GET /me/``, once per operator)."""
    cached = operator.__dict__.get(_ORG_CACHE_KEY)
    if cached is not None:
        return str(cached)
    from airflow_provider_close.client.errors import CloseError

    executing = operator.__dict__.get("_close_executing", False)
    try:
        me = operator.hook.get_me()
    except CloseError as err:  # redacted text; lineage must never fail the task
        log.warning("OpenLineage: could not read the Close organisation: %s", err)
        return None
    finally:
        if not executing:  # asked before or after execute: close the client it built
            operator.close_hook()
    organizations = me.get("organizations") or []
    first = organizations[0] if organizations else None
    organization_id = first.get("id") if isinstance(first, dict) else first
    if not organization_id:
        log.warning("OpenLineage: GET /me/ named no organisation; no Close dataset")
        return None
    operator.__dict__[_ORG_CACHE_KEY] = str(organization_id)
    return str(organization_id)
