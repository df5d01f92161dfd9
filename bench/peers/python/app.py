# Benchmark peer for wshub: the seed service's API, minimally, on FastAPI + uvicorn from Debian's packages.
import os

import uvicorn
from fastapi import FastAPI, WebSocket
from pydantic import BaseModel

HOST = os.environ.get("HOST", "127.0.0.1")
PORT = int(os.environ.get("PORT", "8000"))
# uvicorn's own switch (the seed compresses, uvicorn's default); off unless asked, so the peers compare alike.
PER_MESSAGE_DEFLATE = os.environ.get("WS_PER_MESSAGE_DEFLATE") == "true"

app = FastAPI()
clients: dict[int, WebSocket] = {}  # in connection order


class BroadcastRequest(BaseModel):
    message: str


@app.websocket("/ws/{client_id}")
async def websocket_endpoint(websocket: WebSocket, client_id: int):
    await websocket.accept()
    if client_id in clients:
        await websocket.close(code=1008, reason=f"client id {client_id} is already connected")
        return
    clients[client_id] = websocket
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            if message.get("text") is None:
                await websocket.close(code=1003, reason="binary messages are not supported")
                break
            await websocket.send_text("Server echo: " + message["text"])
    finally:
        del clients[client_id]


@app.post("/broadcast-to-all")
async def broadcast_to_all(request: BroadcastRequest):
    targets = list(clients.values())
    for websocket in targets:
        try:
            await websocket.send_text(request.message)
        except Exception:  # the client left meanwhile
            pass
    return {"sent": len(targets)}


@app.get("/clients")
async def list_clients():
    return {"clients": list(clients)}


class Server(uvicorn.Server):
    """uvicorn's server, saying "listening" once its socket is bound (uvicorn.run gives no hook after the bind)."""

    async def startup(self, sockets=None):
        await super().startup(sockets)
        if self.started:
            print(f"listening on http://{HOST}:{PORT}", flush=True)


if __name__ == "__main__":
    config = uvicorn.Config(app, host=HOST, port=PORT, log_level="warning", ws_per_message_deflate=PER_MESSAGE_DEFLATE)
    Server(config).run()
