"""`chainkg serve` over an external store as it was up to 2026-12-05, for `bench.run --virtuoso-before`: the same
code with its two remote levers switched off, so before and after are measured in one run, cell by cell.

The levers: graph/remote.py's own keep-alive client (here httpx's sync client again, configured as it was), and
RemoteEngine checking a light query's rewritten text on the calling thread (here every text goes through the
fenced thread and is sent as the client wrote it). Bench only: nothing in the service imports this.
"""

from __future__ import annotations

import sys

import httpx

from chainkg.graph import engine, remote


class HttpxClient:
    """remote.Client's `post` over httpx, as RemoteStore used it (pooled, no redirects, no environment)."""

    def __init__(self, settings) -> None:
        auth: httpx.Auth | None = None
        if settings.remote_user is not None:
            password = settings.remote_password.get_secret_value() if settings.remote_password else ""
            auth = (httpx.DigestAuth if settings.remote_auth == "digest" else httpx.BasicAuth)(settings.remote_user,
                                                                                               password)
        self.client = httpx.Client(auth=auth, follow_redirects=False, trust_env=False,
                                   timeout=httpx.Timeout(settings.query_timeout_s + 5, connect=5),
                                   limits=httpx.Limits(max_connections=max(8, settings.query_workers * 2)))

    def post(self, url: str, form: dict, accept: str, timeout_s: float | None) -> remote.Reply:
        timeout = httpx.Timeout(timeout_s, connect=5) if timeout_s else httpx.USE_CLIENT_DEFAULT
        try:
            response = self.client.post(url, data=form, headers={"Accept": accept}, timeout=timeout)
        except httpx.TimeoutException:
            raise TimeoutError from None
        except httpx.HTTPError as error:
            raise OSError(str(error)) from None
        return remote.Reply(response.status_code, response.headers, response.content)  # type: ignore[arg-type]

    def close(self) -> None:
        self.client.close()


def no_light(self: engine.RemoteEngine, light: str | None, job: engine.Job) -> None:
    """RemoteEngine._light_text switched off: every text is checked on the fenced thread and sent as written."""
    return None


def main() -> None:
    store_init = remote.RemoteStore.__init__

    def init(self, settings) -> None:
        store_init(self, settings)
        self.client.close()
        self.client = HttpxClient(settings)

    remote.RemoteStore.__init__ = init
    engine.RemoteEngine._light_text = no_light  # type: ignore[method-assign]
    from chainkg.cli import main as cli

    sys.argv[0] = "chainkg"
    cli()


if __name__ == "__main__":
    main()
