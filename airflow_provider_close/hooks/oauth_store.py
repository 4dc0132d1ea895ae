"""The OAuth token store of a Close connection: Airflow Variables, shared by every worker.

Airflow 3 task code cannot reach the metadata database; it reads and writes Variables through
the Execution API (the API server). That API offers get, put and delete, last write wins, and
no compare-and-swap or row lock, so the lock is the write-then-verify lease of
:class:`~airflow_provider_close.client.token_store.KeyValueTokenStore`, with Close's rotation
(``invalid_grant`` for the loser, who re-reads and adopts) as the final arbiter.

Per connection ``<conn_id>`` two Variables:

* ``close_oauth_token__<conn_id>``: JSON with the current access token, its expiry, the latest
  refresh token and the fingerprint of the connection's refresh token they descend from.
  Values are encrypted at rest when Airflow has a Fernet key; the key name contains ``token``
  so Airflow masks the value in task logs, and each token is registered with the masker.
* ``close_oauth_token__<conn_id>__lock``: ``{"owner", "until"}`` while a worker refreshes.

The connection itself is never written: its refresh token only bootstraps the chain (and a new
one, after re-authorising, restarts it). A connection served by a read-only secrets backend
therefore works unchanged. If a secrets backend also defines the token Variable, Airflow reads
that copy first; the store notices the rotated token does not read back and fails naming the
connection instead of silently losing the chain.
"""

from __future__ import annotations

from airflow_provider_close.client.oauth import CloseOAuthError
from airflow_provider_close.client.token_store import KeyValueTokenStore

__all__ = ["VariableKeyValue", "token_store_key", "variable_token_store"]

_PREFIX = "close_oauth_token__"


def token_store_key(conn_id: str) -> str:
    """Return the Variable key holding a connection's OAuth tokens.

    :param conn_id: the Close connection id.
    """
    return f"{_PREFIX}{conn_id}"


class VariableKeyValue:
    """Airflow Variables as a :class:`~airflow_provider_close.client.token_store.KeyValue`.

    Reads skip the worker's secrets cache (``[secrets] use_cache``): a cached lock or token
    record would be stale by design.
    """

    def get(self, key: str) -> str | None:
        """Return the Variable's value, or ``None``.

        :param key: the Variable key.
        """
        from airflow.sdk import Variable
        from airflow.sdk.execution_time.cache import SecretCache

        SecretCache.invalidate_variable(key)
        value = Variable.get(key, default=None)
        return None if value is None else str(value)

    def set(self, key: str, value: str) -> None:
        """Write the Variable.

        :param key: the Variable key.
        :param value: the text.
        """
        from airflow.sdk import Variable

        try:
            Variable.set(key, value, description="Managed by airflow-provider-close (OAuth)")
        except Exception as exc:  # never refresh (and rotate) without somewhere to store
            raise CloseOAuthError(
                f"cannot write the Airflow Variable {key!r} ({type(exc).__name__}); refreshing "
                "OAuth stores rotated tokens there, which works inside Airflow tasks and "
                "triggers only",
                reason="store",
            ) from None

    def read_only_reason(self, key: str) -> str | None:
        """Return which secrets backend defines ``key`` ahead of the metadata DB, if any.

        Airflow reads Variables from the secrets backends (environment variables first) before
        the API server, so a copy there hides every write.

        :param key: the Variable key.
        """
        from airflow.sdk.execution_time.secrets.execution_api import ExecutionAPISecretsBackend
        from airflow.sdk.execution_time.supervisor import ensure_secrets_backend_loaded

        for backend in ensure_secrets_backend_loaded():
            if isinstance(backend, ExecutionAPISecretsBackend):
                continue
            try:
                found = backend.get_variable(key=key)
            except Exception:  # an unreachable backend hides nothing we could fix here
                continue
            if found is not None:
                return f"{type(backend).__name__} defines the Variable {key!r} and is read first"
        return None

    def delete(self, key: str) -> None:
        """Delete the Variable.

        :param key: the Variable key.
        """
        from airflow.sdk import Variable

        Variable.delete(key)


def variable_token_store(conn_id: str) -> KeyValueTokenStore:
    """Return the Variable-backed token store of a connection.

    :param conn_id: the Close connection id.
    """
    return KeyValueTokenStore(
        VariableKeyValue(), token_store_key(conn_id), label=f"Close connection {conn_id!r}"
    )
