# Smoke check for the benchmark peers: starts each on a free port, checks the API, then stops it with SIGTERM.
"""Usage: /usr/bin/python3 bench/peers/smoke.py [python|node|bun ...]   or   smoke.py -- COMMAND ARGS...

With no arguments it checks all three peers. The command must read PORT and print a line containing "listening"."""
import asyncio
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import websockets

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = {
    "python": ["/usr/bin/python3", f"{HERE}/python/app.py"],
    "node": ["node", f"{HERE}/node/server.js"],
    "bun": [f"{HERE}/bun/node_modules/.bin/bun", f"{HERE}/bun/server.js"],
}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pump(stream, lines):
    for line in stream:
        lines.put(line)
    lines.put("")  # end of output


def start(command, port, timeout=15):
    """Starts the peer and waits for its "listening" line; a thread keeps reading its output (stdout and stderr)."""
    env = dict(os.environ, HOST="127.0.0.1", PORT=str(port))
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = queue.Queue()
    threading.Thread(target=pump, args=(proc.stdout, lines), daemon=True).start()
    deadline = time.monotonic() + timeout
    try:
        while line := lines.get(timeout=max(0, deadline - time.monotonic())):
            if "listening" in line:
                return proc
    except queue.Empty:
        pass
    proc.kill()
    raise RuntimeError(f"{command} did not say 'listening' within {timeout} s")


def http(base, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


async def closed_with(uri, send=None):
    async with websockets.connect(uri, compression=None) as ws:
        if send is not None:
            await ws.send(send)
        await asyncio.wait_for(ws.wait_closed(), 5)
        return ws.close_code


async def check(port):
    base, ws_base = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/ws"
    async with websockets.connect(f"{ws_base}/7", compression=None) as first:
        await first.send("hello")
        assert await first.recv() == "Server echo: hello", "echo"
        assert await closed_with(f"{ws_base}/7") == 1008, "duplicate id closed with 1008"
        assert await closed_with(f"{ws_base}/99", send=b"\x00") == 1003, "binary closed with 1003"
        async with websockets.connect(f"{ws_base}/-3", compression=None) as second:
            await second.send("x")
            await second.recv()
            assert http(base, "/clients") == {"clients": [7, -3]}, "/clients in connection order"
            assert http(base, "/broadcast-to-all", {"message": "to all"}) == {"sent": 2}, "broadcast sent == 2"
            assert await first.recv() == "to all" and await second.recv() == "to all", "broadcast reached both"
    for _ in range(40):  # the server may see the closes a moment after the clients
        if http(base, "/clients") == {"clients": []}:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("clients removed on close")


def smoke(name, command):
    port = free_port()
    proc = start(command, port)
    try:
        asyncio.run(check(port))
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=10)
    assert code == 0, f"exit status {code} after SIGTERM"
    print(f"{name}: ok")


def main(args):
    if args[:1] == ["--"]:
        targets = {" ".join(args[1:]): args[1:]}
    elif set(args) <= set(PEERS):
        targets = {name: PEERS[name] for name in (args or PEERS)}
    else:
        print(__doc__, file=sys.stderr)
        return 2
    failed = 0
    for name, command in targets.items():
        try:
            smoke(name, command)
        except Exception as error:
            failed += 1
            print(f"{name}: FAILED: {type(error).__name__}: {error}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
