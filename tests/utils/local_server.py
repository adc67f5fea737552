"""A local HTTP server on 127.0.0.1 for download tests: no test touches the network."""
import contextlib
import http.server
import threading


class Route:
    """What the server sends for one path: ``body``, cut after ``cut_after`` bytes for the
    first ``cut_times`` requests (Content-Length still announces the whole body)."""

    def __init__(self, body, cut_after=None, cut_times=0):
        self.body = body
        self.cut_after = cut_after
        self.cut_times = cut_times
        self.requests = 0


class _Handler(http.server.BaseHTTPRequestHandler):
    routes = {}

    def do_GET(self):  # noqa: N802
        route = self.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        if not isinstance(route, Route):
            route = self.routes[self.path] = Route(route)
        route.requests += 1
        body = route.body
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if route.cut_after is not None and route.requests <= route.cut_times:
            self.wfile.write(body[:route.cut_after])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(routes):
    """Serve ``routes`` ({"/path": bytes or Route}); yields the base URL (no trailing slash)."""
    handler = type("Handler", (_Handler,), {"routes": routes})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def closed_port_url(path="/file.bin"):
    """A URL on 127.0.0.1 where nothing listens: connecting fails at once."""
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}{path}"
