"""python-gunicorn-port: a Cloud Run style WSGI app that gunicorn serves on $PORT."""
from urllib.parse import parse_qs


def app(environ, start_response):
    if environ["PATH_INFO"] != "/greet":
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found\n"]
    name = parse_qs(environ.get("QUERY_STRING", "")).get("name", ["world"])[0]
    body = f"hello, {name} (from python-gunicorn-port)\n".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
