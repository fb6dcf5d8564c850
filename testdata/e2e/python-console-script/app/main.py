"""python-console-script: an ASGI app that uvicorn's console script serves."""
from urllib.parse import parse_qs


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    status, body = 404, b"not found\n"
    if scope["path"] == "/greet":
        name = parse_qs(scope["query_string"].decode()).get("name", ["world"])[0]
        status, body = 200, f"hello, {name} (from python-console-script)\n".encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
