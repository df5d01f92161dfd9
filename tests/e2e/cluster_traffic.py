"""The traffic a rolling deploy is judged by: a broadcast every 10 ms and clients that reconnect with their id
whenever closed, all through the load balancer, each recording what it sent, saw and when (time.time())."""
import asyncio
import concurrent.futures
import dataclasses
import http.client
import json
import threading
import time

import websockets

BROADCAST_EVERY_SEC = 0.01
# A client refused with 1008 (the old node has not yet released its id) tries again after this long.
REFUSED_RETRY_SEC = 0.05


@dataclasses.dataclass
class Broadcast:
    sent_at: float
    port: int  # where it was sent
    answered_at: float | None = None
    outcome: object = None  # the HTTP status, or the error that came instead


class Broadcaster:
    """POSTs /broadcast-to-all every 10 ms to the ports in turn (haproxy's, or each node's), the message being a
    sequence number; each POST runs on a worker of its own, so a slow answer never delays the next one. Records when
    each was sent and answered."""

    def __init__(self, *ports):
        self.ports = ports
        self.broadcasts = {}
        self._connections = threading.local()
        self._workers = concurrent.futures.ThreadPoolExecutor(max_workers=64)
        self._stopping = threading.Event()
        self._answered = threading.Condition()
        self._answered_count = 0
        self._thread = threading.Thread(target=self._schedule, daemon=True)
        self._thread.start()

    def _schedule(self):
        sequence, next_at = 0, time.monotonic()
        while not self._stopping.is_set():
            self._workers.submit(self._post, sequence)
            sequence += 1
            next_at += BROADCAST_EVERY_SEC
            self._stopping.wait(max(0.0, next_at - time.monotonic()))  # the pace, not a synchronisation

    def _post(self, sequence):
        port = self.ports[sequence % len(self.ports)]
        if not hasattr(self._connections, "http"):
            self._connections.http = {}
        connection = self._connections.http.get(port)
        if connection is None:
            connection = self._connections.http[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        record = self.broadcasts[sequence] = Broadcast(sent_at=time.time(), port=port)
        try:
            connection.request("POST", "/broadcast-to-all", body=json.dumps({"message": str(sequence)}),
                               headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            record.outcome = response.status
        except (OSError, http.client.HTTPException) as error:
            record.outcome = repr(error)
            connection.close()
            del self._connections.http[port]
        record.answered_at = time.time()
        with self._answered:
            self._answered_count += 1
            self._answered.notify_all()

    def wait_answered(self, count, timeout=20):
        with self._answered:
            assert self._answered.wait_for(lambda: self._answered_count >= count, timeout), "broadcasts stalled"

    def last_answered(self):
        """The highest sequence number answered 200, if any."""
        return max((sequence for sequence, b in self.broadcasts.items() if b.outcome == 200), default=None)

    @property
    def answered_count(self):
        with self._answered:
            return self._answered_count

    def stop(self):
        self._stopping.set()
        self._thread.join()
        self._workers.shutdown(wait=True)


@dataclasses.dataclass
class Connection:
    """One WebSocket connection of one client, as the client saw it."""
    opened: float  # the handshake had completed
    node: str  # haproxy's name of the node that took it
    received: list = dataclasses.field(default_factory=list)
    closed: float | None = None  # the client saw the close
    code: int | None = None


class Client:
    """One id; connects through haproxy and reconnects with the same id whenever it is closed."""

    def __init__(self, fleet, client_id):
        self.fleet = fleet
        self.id = client_id
        self.connections = []
        self.refused_retries = 0
        self.problems = []
        self.websocket = None
        self.has_final = asyncio.Event()

    async def run(self):
        url = f"ws://127.0.0.1:{self.fleet.port}/ws/{self.id}"
        while not self.fleet.stopping:
            try:
                self.websocket = await websockets.connect(url, ping_interval=None, max_queue=None, open_timeout=10,
                                                          close_timeout=10, compression=None)
            except (OSError, asyncio.TimeoutError, websockets.InvalidHandshake) as error:
                self.problems.append(f"client {self.id}: connecting failed at {time.time():.3f}: {error!r}")
                await asyncio.sleep(REFUSED_RETRY_SEC)
                continue
            connection = Connection(opened=time.time(), node=self.websocket.response_headers.get("X-Wshub-Node"))
            self.connections.append(connection)
            self.fleet.count_connected(+1)
            await self.receive(connection)
            self.fleet.count_connected(-1)
            if connection.code == 1008:
                self.refused_retries += 1
                await asyncio.sleep(REFUSED_RETRY_SEC)
            elif connection.code not in (1000, 1001):
                self.problems.append(f"client {self.id}: closed with {connection.code} by {connection.node} at "
                                     f"{connection.closed:.3f}")

    async def receive(self, connection):
        try:
            async for message in self.websocket:
                sequence = int(message)
                connection.received.append(sequence)
                if self.fleet.final is not None and sequence >= self.fleet.final:
                    self.has_final.set()
        except websockets.ConnectionClosedError:
            pass
        connection.closed = min(time.time(), self.fleet.stopped_at or time.time())
        connection.code = self.websocket.close_code


class Fleet:
    """The clients, in an asyncio loop on a thread of their own so that the test can drive the nodes meanwhile."""

    def __init__(self, port, ids):
        self.port = port
        self.stopping = False
        self.stopped_at = None
        self.final = None
        self.max_lag = 0.0
        self._connected = 0
        self._changed = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self.clients = []
        ready = threading.Event()

        def run_loop():
            asyncio.set_event_loop(self._loop)
            self.clients = [Client(self, client_id) for client_id in ids]
            self._tasks = [self._loop.create_task(client.run()) for client in self.clients]
            self._lag_watch = self._loop.create_task(self._watch_lag())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run_loop, daemon=True)
        self._thread.start()
        ready.wait()

    async def _watch_lag(self):
        """How late the loop runs a 10 ms timer: how late, at worst, a client notes what it saw."""
        while not self.stopping:
            before = time.monotonic()
            await asyncio.sleep(0.01)
            self.max_lag = max(self.max_lag, time.monotonic() - before - 0.01)

    def count_connected(self, change):
        with self._changed:
            self._connected += change
            self._changed.notify_all()

    def wait_all_connected(self, timeout=30):
        with self._changed:
            assert self._changed.wait_for(lambda: self._connected == len(self.clients), timeout), \
                f"only {self._connected} of {len(self.clients)} clients connected"

    def finish(self, final, timeout=10):
        """Waits until every client has received broadcast `final` (if any; at most `timeout`), then closes them all."""
        return asyncio.run_coroutine_threadsafe(self._finish(final, timeout), self._loop).result()

    async def _finish(self, final, timeout):
        self.final = final if final is not None else -1
        for client in self.clients:
            # Broadcasts whose POSTs overlapped may arrive in either order: look for it, not at the last one.
            if client.connections and max(client.connections[-1].received, default=-1) >= self.final:
                client.has_final.set()
        try:
            await asyncio.wait_for(asyncio.gather(*(client.has_final.wait() for client in self.clients)), timeout)
        except asyncio.TimeoutError:
            pass  # the audit names who is missing what
        self.stopping = True
        self.stopped_at = time.time()
        await asyncio.gather(*(client.websocket.close() for client in self.clients if client.websocket))
        await asyncio.gather(*self._tasks, self._lag_watch)
        self._loop.call_soon(self._loop.stop)
