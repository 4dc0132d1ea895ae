"""What the contact and opportunity upserts share: a batched run with results appended per batch.

The input is streamed (SQL by ``fetchmany``, files line by line, XCom rows as given) into
``bulk.child_engine.upsert_children``, ``batch_size`` rows at a time, and each batch's results
are appended to the result file as it ends: memory follows the batch, not the input.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from airflow.sdk import Context

from airflow_provider_close.operators.bulk import _CloseUpsertOperator

if TYPE_CHECKING:
    from airflow_provider_close.bulk.child_engine import ChildKind, ParentLeads
    from airflow_provider_close.bulk.engine import UpsertOptions, UpsertRun
    from airflow_provider_close.bulk.results import ResultFile, SyncSummary

__all__: list[str] = []


class _CloseUpsertChildrenOperator(_CloseUpsertOperator):
    """The batched run of ``CloseUpsertContactsOperator`` and ``CloseUpsertOpportunitiesOperator``.

    :param batch_size: rows read, looked up, planned and written at a time; SQL and files
        are streamed, so memory follows this, not the input size.
    """

    def __init__(self, *, batch_size: int = 1000, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
        self.batch_size = batch_size

    def _run_children(
        self, context: Context, kind: ChildKind, parent: ParentLeads, options: UpsertOptions
    ) -> SyncSummary:
        """Stream the input through the child upsert; return the summary (pushed to XCom)."""
        from dataclasses import replace

        from airflow_provider_close.bulk.child_engine import upsert_children
        from airflow_provider_close.bulk.results import ResultFile

        batched = replace(options, batch_size=self.batch_size)
        rows = self._stream()
        client = self.hook.new_async_client()  # connection read before the loop starts

        async def run(results: ResultFile) -> UpsertRun:
            async with client:
                return await upsert_children(
                    client, rows, kind, parent, options=batched, sink=results.add
                )

        with ResultFile(self._result_target(context)) as results:
            done = asyncio.run(run(results))
            self._fail_if_stopped(results)
        return self._summary(results, done, dry_run=self.plan_only)
