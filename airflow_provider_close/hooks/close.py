"""CloseHook: turns an Airflow connection into a Close client, plus one-line resource calls.

The hook does no I/O in its constructor. The client is built lazily from the connection
(``password`` = API key or OAuth access token, ``host`` = API base URL, ``port``, extras
``timeout``, ``max_retries``, ``max_total_wait``, ``auth_type``; refreshing OAuth adds
``client_id``, ``client_secret``, ``refresh_token``, whose rotated tokens live in Airflow
Variables, see :mod:`airflow_provider_close.hooks.oauth_store`). Every HTTP concern (auth,
retries, rate limits, pagination, errors) lives in :mod:`airflow_provider_close.client`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from airflow.sdk import BaseHook

from airflow_provider_close._compat import DECLARATIVE_CONNECTION_FORM
from airflow_provider_close.client.resources import activity_path
from airflow_provider_close.provider_info import UI_FIELD_BEHAVIOUR

if TYPE_CHECKING:  # the client is imported when a task first builds one, not at DAG parse
    from airflow_provider_close.client import AsyncCloseClient, CloseClient
    from airflow_provider_close.client.resources import ActivityType
    from airflow_provider_close.client.token_store import TokenStore
    from airflow_provider_close.hooks.settings import ClientSettings

__all__ = ["CloseHook"]

JSONObject = dict[str, Any]
Params = Mapping[str, Any] | None
ObjectType = Literal["lead", "contact", "opportunity", "activity"]


class CloseHook(BaseHook):
    """Interact with the Close CRM API.

    :param close_conn_id: the Airflow connection to Close (type ``close``).
    :param oauth_token_store: where refreshing OAuth keeps its tokens (default: Airflow
        Variables, shared by every worker).
    """

    conn_name_attr = "close_conn_id"
    default_conn_name = "close_default"
    conn_type = "close"
    hook_name = "Close CRM"

    def __init__(
        self,
        close_conn_id: str = default_conn_name,
        *,
        oauth_token_store: TokenStore | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.close_conn_id = close_conn_id
        self._oauth_token_store = oauth_token_store

    def __repr__(self) -> str:
        return f"CloseHook(close_conn_id={self.close_conn_id!r})"

    # -- connection -> client -------------------------------------------------------------

    def client_settings(self) -> ClientSettings:
        """Return the client settings the connection describes (read once per hook)."""
        return self._settings

    @cached_property
    def _settings(self) -> ClientSettings:
        from airflow_provider_close.hooks.settings import settings_from_connection

        conn = self.get_connection(self.close_conn_id)
        _mask_encoded_key(conn.password)
        return settings_from_connection(
            conn.host, conn.password, conn.extra_dejson, self.close_conn_id, port=conn.port
        )

    async def aclient_settings(self) -> ClientSettings:
        """Like :meth:`client_settings`, fetching the connection without blocking the loop."""
        from airflow_provider_close.hooks.settings import settings_from_connection

        conn = await self.aget_connection(self.close_conn_id)
        aextra = getattr(conn, "aextra_dejson", None)  # Airflow >= 3.3.2
        extra = await aextra() if aextra is not None else conn.extra_dejson
        return settings_from_connection(
            conn.host, conn.password, extra, self.close_conn_id, port=conn.port
        )

    def oauth_token_store(self) -> TokenStore:
        """Return where refreshing OAuth keeps this connection's tokens (Airflow Variables).

        See :mod:`airflow_provider_close.hooks.oauth_store` for what is stored and the lock.
        """
        if self._oauth_token_store is None:
            from airflow_provider_close.hooks.oauth_store import variable_token_store

            self._oauth_token_store = variable_token_store(self.close_conn_id)
        return self._oauth_token_store

    def get_conn(self) -> CloseClient:
        """Return the (cached) synchronous Close client."""
        return self.client

    @cached_property
    def client(self) -> CloseClient:
        """The synchronous Close client, built on first use."""
        return self.client_settings().sync_client(*self._oauth_runtime(self.client_settings()))

    async def get_async_client(self) -> AsyncCloseClient:
        """Return a new asynchronous Close client; the caller closes it (``async with``).

        For triggers: the connection is fetched without blocking the event loop.
        """
        settings = await self.aclient_settings()
        return settings.async_client(*self._oauth_runtime(settings))

    def new_async_client(self) -> AsyncCloseClient:
        """Return a new asynchronous Close client built from a synchronous connection lookup.

        For operators that run in a worker and use asyncio only for concurrency: the
        connection is read before the event loop starts (Airflow 3.1's async lookup cannot
        reach a worker's connections). The caller closes the client (``async with``).
        """
        return self.client_settings().async_client(*self._oauth_runtime(self.client_settings()))

    def _oauth_runtime(
        self, settings: ClientSettings
    ) -> tuple[TokenStore | None, Callable[[str], None] | None]:
        """Return the token store and masker for refreshing OAuth, ``(None, None)`` otherwise."""
        if settings.oauth is None:
            return None, None
        from airflow.sdk.log import mask_secret

        return self.oauth_token_store(), mask_secret

    def close(self) -> None:
        """Close the cached client's connection pool, if one was built."""
        client = self.__dict__.pop("client", None)
        if client is not None:
            client.close()

    def test_connection(self) -> tuple[bool, str]:
        """Call ``GET /me/``; return ``(ok, message)`` and never raise nor show the key."""
        from airflow_provider_close.client.errors import CloseError

        try:
            me = self.client.get("me/")
        except CloseError as err:
            return False, str(err)  # built from redacted parts: no form of the key
        except Exception as err:  # the UI shows the text; a test must never raise
            return False, f"{type(err).__name__}: {err}"
        orgs = me.get("organizations") or [{}]
        org = orgs[0].get("name") if isinstance(orgs[0], dict) else orgs[0]
        return True, f"Connected to Close as {me.get('email')} (organization {org})."

    # -- generic --------------------------------------------------------------------------

    def request(
        self, method: str, path: str, *, params: Params = None, json: Any = None
    ) -> JSONObject:
        """Send one request to any endpoint; returns the decoded JSON body (``{}`` if empty)."""
        return self.client.request(method, path, params=params, json=json)

    def iter_items(
        self,
        path: str,
        params: Params = None,
        *,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> Iterator[JSONObject]:
        """Iterate every item of a list endpoint, page by page (lazy)."""
        return self.client.iter_items(path, params, page_size=page_size, max_items=max_items)

    def get_me(self) -> JSONObject:
        """Return the user the credentials belong to."""
        return self.client.get("me/")

    # -- core objects ---------------------------------------------------------------------

    def _get(self, resource: str, object_id: str, fields: list[str] | None) -> JSONObject:
        params = {"_fields": ",".join(fields)} if fields else None
        return self.client.get(f"{resource}/{object_id}/", params=params)

    def get_lead(self, lead_id: str, *, fields: list[str] | None = None) -> JSONObject:
        """Return one lead."""
        return self._get("lead", lead_id, fields)

    def create_lead(self, payload: Mapping[str, Any]) -> JSONObject:
        """Create a lead (with nested contacts and addresses); returns it as Close stored it."""
        return self.client.post("lead/", json=payload)

    def update_lead(self, lead_id: str, payload: Mapping[str, Any]) -> JSONObject:
        """Patch a lead (Close's PUT only changes the fields sent)."""
        return self.client.put(f"lead/{lead_id}/", json=payload)

    def delete_lead(self, lead_id: str) -> JSONObject:
        """Delete a lead; Close cascades to its contacts, activities, tasks and opportunities."""
        return self.client.delete(f"lead/{lead_id}/")

    def get_contact(self, contact_id: str, *, fields: list[str] | None = None) -> JSONObject:
        """Return one contact."""
        return self._get("contact", contact_id, fields)

    def create_contact(self, payload: Mapping[str, Any]) -> JSONObject:
        """Create a contact."""
        return self.client.post("contact/", json=payload)

    def update_contact(self, contact_id: str, payload: Mapping[str, Any]) -> JSONObject:
        """Patch a contact."""
        return self.client.put(f"contact/{contact_id}/", json=payload)

    def delete_contact(self, contact_id: str) -> JSONObject:
        """Delete a contact."""
        return self.client.delete(f"contact/{contact_id}/")

    def get_opportunity(
        self, opportunity_id: str, *, fields: list[str] | None = None
    ) -> JSONObject:
        """Return one opportunity."""
        return self._get("opportunity", opportunity_id, fields)

    def create_opportunity(self, payload: Mapping[str, Any]) -> JSONObject:
        """Create an opportunity (``value`` in integer cents)."""
        return self.client.post("opportunity/", json=payload)

    def update_opportunity(self, opportunity_id: str, payload: Mapping[str, Any]) -> JSONObject:
        """Patch an opportunity."""
        return self.client.put(f"opportunity/{opportunity_id}/", json=payload)

    def delete_opportunity(self, opportunity_id: str) -> JSONObject:
        """Delete an opportunity."""
        return self.client.delete(f"opportunity/{opportunity_id}/")

    def get_task(self, task_id: str, *, fields: list[str] | None = None) -> JSONObject:
        """Return one task."""
        return self._get("task", task_id, fields)

    def create_task(self, payload: Mapping[str, Any]) -> JSONObject:
        """Create a task."""
        return self.client.post("task/", json=payload)

    def update_task(self, task_id: str, payload: Mapping[str, Any]) -> JSONObject:
        """Patch a task."""
        return self.client.put(f"task/{task_id}/", json=payload)

    def delete_task(self, task_id: str) -> JSONObject:
        """Delete a task."""
        return self.client.delete(f"task/{task_id}/")

    # -- activities -----------------------------------------------------------------------

    def get_activity(
        self, activity_type: ActivityType, activity_id: str, *, fields: list[str] | None = None
    ) -> JSONObject:
        """Return one activity of a type (``call``, ``sms``, ``note``, ``email``, ``meeting``)."""
        return self._get(activity_path(activity_type).rstrip("/"), activity_id, fields)

    def create_activity(
        self, activity_type: ActivityType, payload: Mapping[str, Any], *, params: Params = None
    ) -> JSONObject:
        """Create (log, or send) an activity of a type."""
        return self.client.request(
            "POST", activity_path(activity_type), params=params, json=payload
        )

    def update_activity(
        self, activity_type: ActivityType, activity_id: str, payload: Mapping[str, Any]
    ) -> JSONObject:
        """Patch an activity."""
        return self.client.put(f"{activity_path(activity_type)}{activity_id}/", json=payload)

    def delete_activity(self, activity_type: ActivityType, activity_id: str) -> JSONObject:
        """Delete an activity."""
        return self.client.delete(f"{activity_path(activity_type)}{activity_id}/")

    # -- organisation metadata ------------------------------------------------------------

    def list_custom_fields(self, object_type: ObjectType) -> list[JSONObject]:
        """Return the custom field definitions of an object type."""
        return list(self.client.iter_items(f"custom_field/{object_type}/"))

    def list_lead_statuses(self) -> list[JSONObject]:
        """Return the organisation's lead statuses."""
        return list(self.client.iter_items("status/lead/"))

    def list_opportunity_statuses(self) -> list[JSONObject]:
        """Return the organisation's opportunity statuses."""
        return list(self.client.iter_items("status/opportunity/"))

    def get_user(self, user_id: str, *, fields: list[str] | None = None) -> JSONObject:
        """Return one user of the organisation."""
        return self._get("user", user_id, fields)

    def list_users(self) -> list[JSONObject]:
        """Return the organisation's users."""
        return list(self.client.iter_items("user/"))


def _mask_encoded_key(password: str | None) -> None:
    """Register the key's ``Basic`` encodings with Airflow's masker, which knows only the key.

    A proxy or library that logs an echoed ``Authorization`` header is then masked too.
    """
    if password:
        from airflow.sdk.log import mask_secret

        from airflow_provider_close.client.redaction import basic_forms

        for form in basic_forms(password):
            mask_secret(form)


def _legacy_ui_field_behaviour(_cls: type[CloseHook]) -> dict[str, Any]:
    """Airflow 3.1's connection form asks the hook; 3.2+ reads the provider info instead."""
    return {
        "hidden_fields": UI_FIELD_BEHAVIOUR["hidden-fields"],
        "relabeling": UI_FIELD_BEHAVIOUR["relabeling"],
        "placeholders": UI_FIELD_BEHAVIOUR["placeholders"],
    }


if not DECLARATIVE_CONNECTION_FORM:  # defining it on 3.2+ raises a deprecation warning
    CloseHook.get_ui_field_behaviour = classmethod(_legacy_ui_field_behaviour)  # type: ignore[method-assign,assignment]
