"""python-http: stdlib-only HTTP app (http.server)."""
import os
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlparse(self.path)
        if url.path != "/greet":
            self.send_error(404)
            return
        name = parse_qs(url.query).get("name", ["world"])[0]
        body = f"hello, {name} (from python-http)\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "18083"))
    print(f"listening on :{port}", flush=True)
    HTTPServer(("", port), Handler).serve_forever()
