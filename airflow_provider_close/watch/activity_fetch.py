"""One poll of an :class:`~.activity_count.ActivityCount`, through the sync or the async client.

The drivers only send the requests the walks ask for and hand the answers back; what to ask
for, what counts and when to stop is decided by the pure walk and count (no Airflow here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_provider_close.watch.activity_count import ActivityCount
from airflow_provider_close.watch.activity_predicate import NewActivityResult

if TYPE_CHECKING:
    from airflow_provider_close.client import AsyncCloseClient, CloseClient

__all__ = ["apoll_activities", "poll_activities"]


def poll_activities(client: CloseClient, count: ActivityCount) -> NewActivityResult:
    """Run one poll with the sync client; return the verdict so far.

    :param client: a Close client.
    :param count: the count kept across polls (updated in place).
    """
    for walk in count.walks():
        while (params := walk.next_params()) is not None:
            count.take(walk, walk.on_page(client.get(walk.path, params)))
            if count.has_enough(walk):
                break
    return count.result()


async def apoll_activities(client: AsyncCloseClient, count: ActivityCount) -> NewActivityResult:
    """Run one poll with the async client; return the verdict so far.

    :param client: an async Close client.
    :param count: the count kept across polls (updated in place).
    """
    for walk in count.walks():
        while (params := walk.next_params()) is not None:
            count.take(walk, walk.on_page(await client.get(walk.path, params)))
            if count.has_enough(walk):
                break
    return count.result()
