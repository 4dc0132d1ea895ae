"""The "View in Close" link: URL building and reading the lead id back from XCom."""

from __future__ import annotations

import pytest

from airflow_provider_close import links
from airflow_provider_close.links import LEAD_ID_XCOM_KEY, CloseLeadLink, lead_url
from airflow_provider_close.operators.activities import (
    CloseCreateCallOperator,
    CloseCreateSmsOperator,
)
from airflow_provider_close.operators.contacts import (
    CloseCreateContactOperator,
    CloseUpdateContactOperator,
)
from airflow_provider_close.operators.leads import (
    CloseCreateLeadOperator,
    CloseGetLeadOperator,
    CloseUpdateLeadOperator,
)
from airflow_provider_close.operators.notes import CloseCreateNoteOperator, CloseGetNoteOperator
from airflow_provider_close.operators.opportunities import (
    CloseCreateOpportunityOperator,
    CloseUpdateOpportunityOperator,
)
from airflow_provider_close.operators.tasks import CloseCreateTaskOperator, CloseUpdateTaskOperator

LEAD = "lead_" + "a" * 43


@pytest.mark.parametrize(
    ("lead_id", "url"),
    [
        (LEAD, f"https://app.close.com/lead/{LEAD}/"),
        (None, ""),
        ("", ""),
        ("lead_../../evil", ""),
        ("cont_" + "a" * 43, ""),
    ],
)
def test_lead_url(lead_id, url):
    assert lead_url(lead_id) == url


def test_get_link_reads_the_pushed_lead_id(mocker):
    get_value = mocker.patch.object(links.XCom, "get_value", return_value=LEAD)
    ti_key = object()
    url = CloseLeadLink().get_link(operator=None, ti_key=ti_key)
    assert url == f"https://app.close.com/lead/{LEAD}/"
    get_value.assert_called_once_with(ti_key=ti_key, key=LEAD_ID_XCOM_KEY)


def test_no_link_before_execute(mocker):
    mocker.patch.object(links.XCom, "get_value", return_value=None)
    assert CloseLeadLink().get_link(operator=None, ti_key=object()) == ""


@pytest.mark.parametrize(
    "operator_class",
    [
        CloseCreateLeadOperator,
        CloseUpdateLeadOperator,
        CloseGetLeadOperator,
        CloseCreateContactOperator,
        CloseUpdateContactOperator,
        CloseCreateOpportunityOperator,
        CloseUpdateOpportunityOperator,
        CloseCreateCallOperator,
        CloseCreateSmsOperator,
        CloseCreateNoteOperator,
        CloseGetNoteOperator,
        CloseCreateTaskOperator,
        CloseUpdateTaskOperator,
    ],
)
def test_every_lead_touching_operator_has_the_link(operator_class):
    assert [link.name for link in operator_class.operator_extra_links] == ["View in Close"]
