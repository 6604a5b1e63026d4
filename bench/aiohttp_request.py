"""PTB's transport over aiohttp instead of httpx: a prototype for issue 13, measured by
bench/transport.py and not wired into the app. aiohttp is not a dependency of Warta.

It is python-telegram-bot's documented extension point, `telegram.request.BaseRequest`:
PTB builds the request (parameters, files) and parses the answer; this only moves bytes.
"""

from __future__ import annotations

from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

try:
    # Only the measurement installs aiohttp; mypy without it must not fail on this line.
    import aiohttp  # type: ignore[import-not-found, unused-ignore]
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "bench.aiohttp_request needs aiohttp, which Warta does not depend on: "
        "`pip install aiohttp` into the venv to measure it"
    ) from exc

Timeout = float | None


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a pool of `connection_pool_size` connections. aiohttp has no
    write timeout: a slow upload is bounded by the read timeout of its answer only."""

    def __init__(
        self,
        connection_pool_size: int = 16,
        read_timeout: Timeout = 5.0,
        connect_timeout: Timeout = 5.0,
        pool_timeout: Timeout = 1.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read, self._connect, self._pool = read_timeout, connect_timeout, pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> Timeout:
        return self._read

    async def initialize(self) -> None:
        # A session belongs to the running loop, so it is made here, not in __init__.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = _given(read_timeout, self._read)
        connect, pool = _given(connect_timeout, self._connect), _given(pool_timeout, self._pool)
        # aiohttp's `connect` covers waiting for a pooled connection and opening it.
        waiting = None if connect is None or pool is None else connect + pool
        timeout = aiohttp.ClientTimeout(connect=waiting, sock_connect=connect, sock_read=read)
        data: aiohttp.FormData | dict[str, str] | None = None
        if request_data is not None:
            data = request_data.json_parameters
            files = request_data.multipart_data
            if files:  # an upload: multipart, as HTTPXRequest sends it
                form = aiohttp.FormData(data)
                for name, (filename, content, mime) in files.items():
                    form.add_field(name, content, filename=filename, content_type=mime)
                data = form
        try:
            async with self._session.request(method, url, data=data, timeout=timeout) as res:
                return res.status, await res.read()
        except TimeoutError as err:  # aiohttp's timeouts are TimeoutErrors too
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err


def _given(value: object, default: Timeout) -> Timeout:
    """PTB passes DEFAULT_NONE for "not given"; None itself means no timeout."""
    if value is BaseRequest.DEFAULT_NONE:
        return default
    assert value is None or isinstance(value, int | float)
    return value
