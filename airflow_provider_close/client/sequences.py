"""Close sequence subscriptions (``/sequence_subscription/``): list and subscribe, async.

``GET /sequence_subscription/`` needs at least one of ``sequence_id``, ``contact_id`` and
``lead_id``; it is a plain list (immediate, not a search). ``POST`` subscribes one contact and
answers 201. Close does not refuse a second subscription of the same contact (assumed, as the
sandbox does), so callers look before they send.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from airflow_provider_close.client.asynchronous import AsyncCloseClient
from airflow_provider_close.client.errors import JSONObject

__all__ = ["SUBSCRIPTION_PATH", "list_subscriptions", "subscribe_contact"]

SUBSCRIPTION_PATH: Final = "sequence_subscription/"
_FILTERS: Final = ("sequence_id", "contact_id", "lead_id")


async def list_subscriptions(client: AsyncCloseClient, **filters: str) -> list[JSONObject]:
    """Return every subscription matching ``filters`` (all pages).

    :param client: the asynchronous client.
    :param filters: at least one of ``sequence_id``, ``contact_id``, ``lead_id``.
    :raises ValueError: no filter, or an unknown one (before any request).
    """
    unknown = sorted(set(filters) - set(_FILTERS))
    if unknown or not filters:
        raise ValueError(
            f"subscription filters: got {sorted(filters)}; allowed: one or more of {list(_FILTERS)}"
        )
    return [item async for item in client.iter_items(SUBSCRIPTION_PATH, dict(filters))]


async def subscribe_contact(client: AsyncCloseClient, body: Mapping[str, Any]) -> JSONObject:
    """Subscribe one contact to a sequence; return the subscription.

    Never re-sent by the client once it may have been applied (a lost answer raises
    ``CloseUnknownOutcomeError``; look with :func:`list_subscriptions` first).

    :param client: the asynchronous client.
    :param body: a body from ``subscription_body``.
    """
    return await client.post(SUBSCRIPTION_PATH, dict(body))
