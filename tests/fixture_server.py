"""A real HTTP server on loopback serving fixture files and misbehaving endpoints.

Usage::

    with serve_fixtures(FIXTURES) as server:          # FIXTURES = the fixtures/ folder
        feed_url = server.url("/feeds/rss.xml")       # a file under the root
        server.count("/flaky")                        # requests seen on a path
        server.requests                               # every request: path and headers

Files are served from ``root``. In text files (.xml .json .html .htm .txt .rss
.atom) the placeholder ``{base}`` becomes the server's base URL
(``http://127.0.0.1:PORT``), so fixture feeds can link to pages on the same server.

Built-in paths (they win over files of the same name):

====================== ===================================================================
/article.html          a small article page
/slow                  sleeps ``slow_seconds`` (default 2.0), then the article page
/delay?seconds=S       sleeps S seconds, then the article page (for concurrency tests)
/error500              always 500
/flaky                 500 on the first two requests, then the article page
/ratelimited           429 with Retry-After: 1 on the first request, then the article page
/ratelimited-long      always 429 with Retry-After: 3600
/loop-a, /loop-b       redirect to each other
/redirect-to-page      302 to /article.html
/redirect-to?url=U     302 to U (any URL, e.g. an internal address)
/no-location           302 without a Location header
/conditional.xml       an RSS feed with ETag "v1" and a Last-Modified date; 304 when
                       If-None-Match or If-Modified-Since match (counted in ``conditional``)
/image.png             a PNG image (image/png)
/huge.html             ``huge_bytes`` (default 2 MB) of HTML with a Content-Length header
/huge-stream.html      the same without Content-Length (read until the connection closes)
/gone                  410
/robots.txt            ``robots_txt`` if set (404 otherwise)
/moved-canonical.html  a page whose rel=canonical points to /article.html on this server
/drip                  200 with Content-Length 100, then one byte every ``drip_seconds``
                       (default 0.3): slow enough to never trip a read timeout
/corrupt-gzip          200 with Content-Encoding: gzip and a body that is not gzip
/hostile/deep.json     a JSON Feed nested 200,000 deep
/hostile/bad-base.html a listing page whose ``<base href>`` is ``http://[oops``, with one
                       unparseable ``<a href>`` and a link to /article.html
/hostile/bad-index.xml a sitemap index with unparseable ``<loc>`` children and one good one
                       (/hostile/child-0.xml)
/hostile/child-N.xml   a sitemap whose one URL is /article.html?n=N
/hostile/index?n=N     a sitemap index of N children (/hostile/child-0.xml ...)
/hostile/links?n=N     a listing page of N links (/hostile/a/0.html ...), in order
/hostile/a/N.html      a small article page number N (its own canonical)
/hostile/page?title=T  an article page whose title is T (markup, ANSI, a formula...) and
                       whose text carries an ESC and a BS byte
====================== ===================================================================

``serve_fixtures(root, host=..., port=..., tls=...)`` binds another loopback address
(``127.0.0.2``: Linux routes all of 127/8 to lo) or port, and serves HTTPS when given a
server-side ``ssl.SSLContext``. ``count(path)`` is the hit counter per path.

``set_body(path, body, content_type, etag=None)`` serves dynamic content on a path
(e.g. a feed that gains an item between two polls), with conditional GET when an
ETag is given. ``max_in_flight`` is the most requests the server handled at once.
"""

from __future__ import annotations

import mimetypes
import ssl
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

ARTICLE_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lithium output rises</title>
<link rel="canonical" href="{base}/article.html"></head>
<body><article><h1>Lithium output rises</h1>
<p>Mexico's lithium output rose in 2026, the Ministry of Economy said on Thursday.</p>
</article></body></html>
"""
MOVED_CANONICAL_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Moved</title>
<link rel="canonical" href="/article.html?utm_source=moved"></head>
<body><p>This story moved.</p></body></html>
"""
CONDITIONAL_RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Conditional</title><link>{base}/</link>
<description>A feed that supports conditional GET</description>
<item><title>Conditional item</title><link>{base}/article.html</link>
<pubDate>Thu, 15 Jan 2026 08:25:00 -0600</pubDate></item>
</channel></rss>
"""
CONDITIONAL_ETAG = '"v1"'
CONDITIONAL_LAST_MODIFIED = "Thu, 15 Jan 2026 14:25:00 GMT"
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
TEMPLATE_SUFFIXES = frozenset({".xml", ".json", ".html", ".htm", ".txt", ".rss", ".atom"})
CONTENT_TYPES = {
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".json": "application/feed+json",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".gz": "application/gzip",
}


@dataclass(frozen=True)
class SeenRequest:
    """One request as the server saw it."""

    path: str  # without the query string
    query: str
    headers: dict[str, str]  # header names lowercased
    at: float  # time.monotonic() when the request arrived


@dataclass(frozen=True)
class _Dynamic:
    body: bytes
    content_type: str
    etag: str | None


class FixtureServer:
    """State shared by the handler threads; tests read and tune it."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.base = ""
        self.slow_seconds = 2.0
        self.drip_seconds = 0.3
        self.huge_bytes = 2_000_000
        self.robots_txt: str | None = None
        self.requests: list[SeenRequest] = []
        self.conditional = 0  # 304 answers given
        self.max_in_flight = 0
        self._in_flight = 0
        self._counts: Counter[str] = Counter()
        self._dynamic: dict[str, _Dynamic] = {}
        self._lock = threading.Lock()

    def url(self, path: str) -> str:
        return self.base + (path if path.startswith("/") else "/" + path)

    def count(self, path: str) -> int:
        with self._lock:
            return self._counts[path]

    def headers_for(self, path: str) -> list[dict[str, str]]:
        with self._lock:
            return [r.headers for r in self.requests if r.path == path]

    def times_for(self, path: str) -> list[float]:
        """Arrival times (time.monotonic()) of the requests on ``path``, in order."""
        with self._lock:
            return [r.at for r in self.requests if r.path == path]

    def set_body(self, path: str, body: bytes, content_type: str, etag: str | None = None) -> None:
        with self._lock:
            self._dynamic[path] = _Dynamic(body, content_type, etag)

    def render(self, text: str) -> bytes:
        return text.replace("{base}", self.base).encode("utf-8")

    def _enter(self, seen: SeenRequest) -> int:
        with self._lock:
            self.requests.append(seen)
            self._counts[seen.path] += 1
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            return self._counts[seen.path]

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _dynamic_for(self, path: str) -> _Dynamic | None:
        with self._lock:
            return self._dynamic.get(path)

    def _count_conditional(self) -> None:
        with self._lock:
            self.conditional += 1


class _Handler(BaseHTTPRequestHandler):
    server_version = "fixture/1.0"
    state: FixtureServer  # set on the subclass made per server

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        seen = SeenRequest(parts.path, parts.query, headers, time.monotonic())
        number = self.state._enter(seen)
        try:
            self._route(parts.path, parse_qs(parts.query), number)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test); nothing to answer
        finally:
            self.state._leave()

    def _route(self, path: str, query: dict[str, list[str]], number: int) -> None:
        dynamic = self.state._dynamic_for(path)
        if dynamic is not None:
            self._send_dynamic(dynamic)
        elif path in _ROUTES:
            _ROUTES[path](self, query, number)
        elif not _hostile_prefix(self, path, query):
            self._send_file(path)

    # --- answers ---------------------------------------------------------------------

    def send(
        self,
        status: int,
        body: bytes = b"",
        content_type: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
        length: bool = True,
    ) -> None:
        self.send_response(status)
        if body or status == 200:
            self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def send_article(self) -> None:
        self.send(200, self.state.render(ARTICLE_HTML))

    def redirect(self, location: str | None, status: int = 302) -> None:
        self.send(status, headers={"Location": location} if location else {})

    def _send_dynamic(self, dynamic: _Dynamic) -> None:
        if dynamic.etag and self.headers.get("If-None-Match") == dynamic.etag:
            self.state._count_conditional()
            self.send(304, headers={"ETag": dynamic.etag})
            return
        headers = {"ETag": dynamic.etag} if dynamic.etag else {}
        self.send(200, dynamic.body, dynamic.content_type, headers)

    def _send_file(self, path: str) -> None:
        target = (self.state.root / path.lstrip("/")).resolve()
        if not target.is_relative_to(self.state.root) or not target.is_file():
            self.send(404, b"not found", "text/plain")
            return
        body = target.read_bytes()
        if target.suffix in TEMPLATE_SUFFIXES:
            body = body.replace(b"{base}", self.state.base.encode("ascii"))
        self.send(200, body, _content_type(target))


def _content_type(path: Path) -> str:
    return CONTENT_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or ""


# --- built-in behaviours -----------------------------------------------------------

Query = dict[str, list[str]]
Route = Callable[[_Handler, Query, int], None]


def _article(h: _Handler, q: Query, n: int) -> None:
    h.send_article()


def _slow(h: _Handler, q: Query, n: int) -> None:
    time.sleep(h.state.slow_seconds)
    h.send_article()


def _delay(h: _Handler, q: Query, n: int) -> None:
    time.sleep(float(q.get("seconds", ["0.2"])[0]))
    h.send_article()


def _error500(h: _Handler, q: Query, n: int) -> None:
    h.send(500, b"server error", "text/plain")


def _flaky(h: _Handler, q: Query, n: int) -> None:
    if n <= 2:
        h.send(500, b"try again", "text/plain")
    else:
        h.send_article()


def _ratelimited(h: _Handler, q: Query, n: int) -> None:
    if n == 1:
        h.send(429, b"slow down", "text/plain", {"Retry-After": "1"})
    else:
        h.send_article()


def _ratelimited_long(h: _Handler, q: Query, n: int) -> None:
    h.send(429, b"come back tomorrow", "text/plain", {"Retry-After": "3600"})


def _conditional(h: _Handler, q: Query, n: int) -> None:
    validators = {"ETag": CONDITIONAL_ETAG, "Last-Modified": CONDITIONAL_LAST_MODIFIED}
    etag_match = h.headers.get("If-None-Match") == CONDITIONAL_ETAG
    date_match = h.headers.get("If-Modified-Since") == CONDITIONAL_LAST_MODIFIED
    if etag_match or date_match:
        h.state._count_conditional()
        h.send(304, headers=validators)
    else:
        h.send(200, h.state.render(CONDITIONAL_RSS), "application/rss+xml", validators)


def _huge(h: _Handler, q: Query, n: int) -> None:
    h.send(200, b"<p>" + b"x" * h.state.huge_bytes + b"</p>")


def _huge_stream(h: _Handler, q: Query, n: int) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.end_headers()
    h.close_connection = True
    chunk = b"x" * 65536
    for _ in range(h.state.huge_bytes // len(chunk) + 1):
        h.wfile.write(chunk)


def _drip(h: _Handler, q: Query, n: int) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", "100")
    h.end_headers()
    for _ in range(100):
        h.wfile.write(b"x")
        h.wfile.flush()
        time.sleep(h.state.drip_seconds)


def _corrupt_gzip(h: _Handler, q: Query, n: int) -> None:
    body = b"\x1f\x8b\x08\x00 this is not a gzip stream " * 20
    h.send(200, body, headers={"Content-Encoding": "gzip"})


DEEP_JSON = b'{"items": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
BAD_BASE_LISTING = """<html><head><base href="http://[oops"></head><body>
<a href="http://host:99999/story/1">bad port</a> <a href="http://[::1/story/2">bad v6</a>
<a href="{base}/article.html">good story</a></body></html>"""
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
BAD_INDEX = f"""<?xml version="1.0"?><sitemapindex xmlns="{SITEMAP_NS}">
<sitemap><loc>http://[oops/child.xml</loc></sitemap>
<sitemap><loc>http://host:99999/child.xml</loc></sitemap>
<sitemap><loc>{{base}}/hostile/child-0.xml</loc></sitemap></sitemapindex>"""
HOSTILE_ARTICLE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title><link rel="canonical" href="{url}"></head><body><article><h1>{title}</h1>
<p>Mexico's lithium output rose in 2026, the Ministry of Economy said on Thursday.\x1b[2J</p>
<p>Chile's copper exports\x08 fell in March, the central bank said in its monthly report.</p>
</article></body></html>"""


def _count(q: Query) -> int:
    return int(q.get("n", ["0"])[0])


def _child_sitemap(h: _Handler, number: str) -> None:
    body = (
        f'<?xml version="1.0"?><urlset xmlns="{SITEMAP_NS}">'
        f"<url><loc>{h.state.base}/article.html?n={number}</loc></url></urlset>"
    )
    h.send(200, body.encode(), "application/xml")


def _index(h: _Handler, q: Query, n: int) -> None:
    children = "".join(
        f"<sitemap><loc>{h.state.base}/hostile/child-{i}.xml</loc></sitemap>"
        for i in range(_count(q))
    )
    body = f'<?xml version="1.0"?><sitemapindex xmlns="{SITEMAP_NS}">{children}</sitemapindex>'
    h.send(200, body.encode(), "application/xml")


def _links(h: _Handler, q: Query, n: int) -> None:
    anchors = "".join(f'<a href="/hostile/a/{i}.html">story {i}</a>\n' for i in range(_count(q)))
    h.send(200, f"<html><body>{anchors}</body></html>".encode())


def _hostile_page(h: _Handler, title: str, path: str) -> None:
    url = h.state.base + path
    escaped = title.replace("&", "&amp;").replace("<", "&lt;")
    h.send(200, HOSTILE_ARTICLE.format(title=escaped, url=url).encode())


def _hostile_prefix(h: _Handler, path: str, query: Query) -> bool:
    """The /hostile/ paths that carry a number or a title."""
    if path.startswith("/hostile/child-") and path.endswith(".xml"):
        _child_sitemap(h, path.removeprefix("/hostile/child-").removesuffix(".xml"))
    elif path.startswith("/hostile/a/"):
        _hostile_page(h, f"Story {path.rsplit('/', 1)[1]}", path)
    elif path == "/hostile/page":
        _hostile_page(h, query.get("title", ["A title"])[0], path)
    else:
        return False
    return True


def _robots(h: _Handler, q: Query, n: int) -> None:
    if h.state.robots_txt is None:
        h.send(404, b"no robots.txt", "text/plain")
    else:
        h.send(200, h.state.robots_txt.encode("utf-8"), "text/plain")


_ROUTES: dict[str, Route] = {
    "/article.html": _article,
    "/slow": _slow,
    "/delay": _delay,
    "/error500": _error500,
    "/flaky": _flaky,
    "/ratelimited": _ratelimited,
    "/ratelimited-long": _ratelimited_long,
    "/loop-a": lambda h, q, n: h.redirect("/loop-b"),
    "/loop-b": lambda h, q, n: h.redirect(h.state.url("/loop-a"), 301),
    "/redirect-to-page": lambda h, q, n: h.redirect("/article.html"),
    "/redirect-to": lambda h, q, n: h.redirect(q.get("url", ["/"])[0]),
    "/no-location": lambda h, q, n: h.redirect(None),
    "/conditional.xml": _conditional,
    "/image.png": lambda h, q, n: h.send(200, PNG_BYTES, "image/png"),
    "/huge.html": _huge,
    "/huge-stream.html": _huge_stream,
    "/gone": lambda h, q, n: h.send(410, b"gone", "text/plain"),
    "/robots.txt": _robots,
    "/moved-canonical.html": lambda h, q, n: h.send(200, h.state.render(MOVED_CANONICAL_HTML)),
    "/drip": _drip,
    "/corrupt-gzip": _corrupt_gzip,
    "/hostile/deep.json": lambda h, q, n: h.send(200, DEEP_JSON, "application/feed+json"),
    "/hostile/bad-base.html": lambda h, q, n: h.send(200, h.state.render(BAD_BASE_LISTING)),
    "/hostile/bad-index.xml": lambda h, q, n: h.send(
        200, h.state.render(BAD_INDEX), "application/xml"
    ),
    "/hostile/index": _index,
    "/hostile/links": _links,
}


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that time out on purpose reset connections, and clients that refuse
        a test certificate abort the handshake: not worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError | ssl.SSLError):
            super().handle_error(request, client_address)


@contextmanager
def serve_fixtures(
    root: Path,
    *,
    robots_txt: str | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    tls: ssl.SSLContext | None = None,
) -> Iterator[FixtureServer]:
    """Serve ``root`` and the built-in paths on ``host`` (a loopback address) at
    ``port`` (0: a free one), over HTTPS when ``tls`` is given."""
    state = FixtureServer(root)
    state.robots_txt = robots_txt
    handler = type("Handler", (_Handler,), {"state": state})
    server = _QuietServer((host, port), handler)
    if tls is not None:  # the handshake happens in the handler thread, on first read
        server.socket = tls.wrap_socket(
            server.socket, server_side=True, do_handshake_on_connect=False
        )
    scheme = "https" if tls is not None else "http"
    state.base = f"{scheme}://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
