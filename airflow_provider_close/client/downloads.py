"""Downloading a finished export file (a pre-signed URL: no Close credentials are sent).

The bytes are yielded exactly as stored (``iter_raw``: the gzip file itself, even when it is
served with ``content-encoding: gzip``), so they can be streamed into object storage with
flat memory. The URL is a capability: it never appears in errors or logs.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx

from airflow_provider_close.client.errors import CloseError

__all__ = ["GZIP_MAGIC", "iter_download"]

#: The first two bytes of every gzip file.
GZIP_MAGIC = b"\x1f\x8b"


def iter_download(
    url: str,
    *,
    timeout: float = 60.0,
    chunk_size: int = 1 << 20,
    transport: httpx.BaseTransport | None = None,
) -> Iterator[bytes]:
    """Yield the raw bytes of the file at ``url`` in chunks; check it is gzip.

    :param url: the export's ``download_url``.
    :param timeout: seconds per network operation.
    :param chunk_size: bytes per chunk.
    :param transport: an httpx transport (tests).
    :raises CloseError: a non-200 answer, a transport error, or a body that is not gzip.
    """
    with httpx.Client(timeout=timeout, transport=transport) as http:
        try:
            with http.stream("GET", url) as response:
                if response.status_code != 200:
                    raise CloseError(
                        f"export download failed with HTTP {response.status_code}",
                        method="GET",
                        status=response.status_code,
                    )
                first = True
                for chunk in response.iter_raw(chunk_size):
                    if first and chunk:
                        if not chunk.startswith(GZIP_MAGIC):
                            raise CloseError("export download is not a gzip file")
                        first = False
                    yield chunk
        except httpx.HTTPError as err:
            raise CloseError(f"export download failed: {type(err).__name__}") from None
