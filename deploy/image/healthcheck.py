"""The image's health check: exit status 0 when the server in this container is ready, else 1.

It asks ``/readyz`` on the loopback at ``$PORT`` (default 8080, as ``terminology serve``), with the
standard library alone: the slim base image has no curl or wget.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

__all__ = ["main"]

TIMEOUT_SECONDS = 2.0  # under the HEALTHCHECK's own --timeout


def main() -> int:
    """0 when ``GET /readyz`` answers 200 within the timeout, else 1 (with the reason on standard error)."""
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8080')}/readyz"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as answer:
            return 0 if answer.status == 200 else 1
    except (urllib.error.URLError, OSError) as error:  # a 503 (not ready) is an HTTPError, a URLError
        print(f"{url}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
