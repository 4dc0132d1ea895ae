"""The "View in Close" extra link on every operator that creates or touches a lead.

Operators push the lead id as an XCom (key :data:`LEAD_ID_XCOM_KEY`) during ``execute``;
the link reads it back, so it also works for creates (the id is only known afterwards) and
for mapped tasks (the XCom is per map index). Runs that never reached ``execute`` have no link.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from airflow.sdk import BaseOperatorLink
from airflow.sdk.execution_time.xcom import XCom

from airflow_provider_close.client.payloads.ids import looks_like_id

if TYPE_CHECKING:
    from airflow.sdk import BaseOperator
    from airflow.sdk.types import TaskInstanceKey

__all__ = ["CLOSE_APP_URL", "LEAD_ID_XCOM_KEY", "CloseLeadLink", "lead_url"]

CLOSE_APP_URL: Final = "https://app.close.com"
#: XCom key under which operators push the id of the lead they created or touched.
LEAD_ID_XCOM_KEY: Final = "close_lead_id"


def lead_url(lead_id: object) -> str:
    """Return the Close app URL of a lead, or ``""`` when ``lead_id`` is not a lead id.

    :param lead_id: a ``lead_…`` id (anything else gives no link).
    """
    if not looks_like_id("lead", lead_id):
        return ""
    return f"{CLOSE_APP_URL}/lead/{lead_id}/"


class CloseLeadLink(BaseOperatorLink):
    """Link from a task instance to the lead it created or touched, in the Close app."""

    name = "View in Close"

    def get_link(self, operator: BaseOperator, *, ti_key: TaskInstanceKey) -> str:  # noqa: ARG002
        """Return the lead's URL from the XCom the operator pushed, or ``""``.

        :param operator: the operator (unused: the lead id comes from XCom).
        :param ti_key: the task instance whose XCom holds the lead id.
        """
        return lead_url(XCom.get_value(ti_key=ti_key, key=LEAD_ID_XCOM_KEY))
