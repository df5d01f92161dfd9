"""Backpressure: a client that stops reading is closed as a slow consumer, one that sends faster than it reads is
slowed down; the others miss nothing."""
import threading
import time

from autobahn_cases import TEXT, Frame
from conftest import MIB, RawWebSocket, broadcast, clients, resident_bytes, wait_until

BROADCASTS = 500
MESSAGE_BYTES = 64 * 1024
# What the silent client would pin without the cap: every broadcast, 32 MiB. With the default 4 MiB cap the
# server may hold that plus the socket buffers' worth in flight; 16 MiB leaves room for allocator slack.
RSS_GROWTH_BOUND = 16 * MIB


class Reader(threading.Thread):
    """Reads every frame of a client as fast as it comes, so that it never falls behind."""

    def __init__(self, server, path):
        super().__init__(daemon=True)
        self.socket = RawWebSocket(server, path)
        self.frames = []
        self.changed = threading.Condition()

    def run(self):
        while True:
            try:
                frame = self.socket.recv_frame()
            except (ConnectionError, OSError):
                frame = None
            with self.changed:
                self.frames.append(frame)
                self.changed.notify_all()
            if frame is None or frame[0] == 0x8:
                return

    def wait_for(self, count):
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.frames) >= count, timeout=30), len(self.frames)


def read_close_once_slow(server, silent):
    server.wait_for_log(r"client 1 is a slow consumer: over 4194304 bytes queued; closing it with 1008", timeout=60)
    return silent.recv_close()


def test_a_client_that_stops_reading_is_closed_while_the_others_get_everything(start_server):
    # quarantine_size_mb=0: AddressSanitizer would otherwise keep freed buffers resident on purpose.
    server = start_server(env={"ASAN_OPTIONS": "quarantine_size_mb=0"})
    silent = RawWebSocket(server, "/ws/1")
    normal = Reader(server, "/ws/2")
    normal.start()
    wait_until(lambda: clients(server) == [1, 2], what="both clients listed")
    rss_before = resident_bytes(server.process.pid)
    rss_peak = rss_before

    # The silent client starts reading the moment it is declared slow, to find its close frame.
    silent_close = []
    threading.Thread(target=lambda: silent_close.append(read_close_once_slow(server, silent)), daemon=True).start()

    messages = [f"{i:04d}".ljust(MESSAGE_BYTES, "x") for i in range(BROADCASTS)]
    for i, message in enumerate(messages):
        broadcast(server, message)
        # Stay at most a few messages ahead of the normal client, so that only the silent one falls behind.
        normal.wait_for(i - 7)
        if i % 25 == 0:
            rss_peak = max(rss_peak, resident_bytes(server.process.pid))
    normal.wait_for(BROADCASTS)

    assert normal.frames == [(0x1, message.encode()) for message in messages]
    assert clients(server) == [2]
    assert rss_peak - rss_before < RSS_GROWTH_BOUND, (rss_before, rss_peak)
    wait_until(lambda: silent_close, what="the silent client's close frame")
    assert silent_close == [(1008, "slow consumer: too many bytes queued")]



BURST_MESSAGES = 512  # of 64 KiB: 32 MiB, far more than the cap and the socket buffers between the two


def test_a_client_that_sends_a_burst_and_reads_later_is_slowed_not_closed(start_server):
    server = start_server("--max-backpressure-bytes", str(MIB))
    ws = RawWebSocket(server, "/ws/1")
    messages = [f"{i:04d}".ljust(MESSAGE_BYTES, "y").encode() for i in range(BURST_MESSAGES)]
    frames_sent = []

    def send_burst():
        for message in messages:
            ws.sock.sendall(Frame(TEXT, message).wire())
            frames_sent.append(1)

    threading.Thread(target=send_burst, daemon=True).start()
    # Without reading, the burst stalls: past the cap the server reads nothing more, and TCP holds the sender.
    deadline = time.monotonic() + 30
    last_count, last_change = 0, time.monotonic()
    while len(frames_sent) < BURST_MESSAGES and time.monotonic() - last_change < 1.0 and time.monotonic() < deadline:
        time.sleep(0.05)
        if len(frames_sent) != last_count:
            last_count, last_change = len(frames_sent), time.monotonic()
    assert len(frames_sent) < BURST_MESSAGES, "the whole burst went out unread: the server read without a bound"

    echoes = [ws.recv_frame() for _ in messages]  # reading lets the server read again, and the burst goes on

    assert echoes == [(TEXT, b"Server echo: " + message) for message in messages]
    assert clients(server) == [1]
    assert not any("slow consumer" in line for line in server.lines)
    ws.close()
