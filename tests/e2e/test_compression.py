"""permessage-deflate (RFC 7692) as the Python service negotiates it: offers, compressed echoes and broadcasts with
an independent client (python3-websockets, which offers compression by default) and by hand, bombs and misuse."""
import asyncio
import os
import socket
import zlib

import pytest
import websockets

from conftest import RawWebSocket, broadcast, metric, request, resident_bytes, run, wait_until, clients

OFFER = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"  # Chromium's
TEXT, CONTINUATION, BINARY, PING = 0x1, 0x0, 0x2, 0x9
RSV1 = 0x40


def deflated(data):
    """Compressed as a client compresses a message (RFC 7692 section 7.2.1), by zlib, not by wshub."""
    compressor = zlib.compressobj(wbits=-15)
    return (compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH))[:-4]


def inflated(payload):
    return zlib.decompressobj(wbits=-15).decompress(payload + b"\x00\x00\xff\xff")


class ClientInflater:
    """A client's inflater as browsers keep it: one stream for the connection, its window holding every compressed
    message so far (the server keeps its history unless it said server_no_context_takeover)."""

    def __init__(self, window_bits=15):
        self.stream = zlib.decompressobj(wbits=-window_bits)

    def text_of(self, payload, compressed):
        return self.stream.decompress(payload + b"\x00\x00\xff\xff") if compressed else payload


def extensions_of(head):
    return [line.split(":", 1)[1].strip() for line in head.split("\r\n")
            if line.lower().startswith("sec-websocket-extensions:")]


def chat(count):
    return "".join(f'{{"from":"user{i % 7}","room":"lobby","text":"message number {i} for everyone"}}'
                   for i in range(count))


def recv_data(ws):
    """The next data frame, skipping the server's keepalive pings: (opcode, payload as sent, compressed?)."""
    while True:
        opcode, payload = ws.recv_frame()
        if opcode != PING:
            return opcode, payload, ws.last_rsv1


def test_chromiums_offer_is_accepted_with_context_takeover_on_the_servers_side_only(server):
    ws = RawWebSocket(server, "/ws/1", OFFER)
    assert extensions_of(ws.response_head) == [
        "permessage-deflate; client_no_context_takeover"]
    ws.close()


def test_a_compressed_echo_is_compressed_back_and_inflates_to_the_text(server):
    ws = RawWebSocket(server, "/ws/1", OFFER)
    text = chat(20).encode()
    ws.send_frame(TEXT, deflated(text), rsv=RSV1)
    opcode, payload, compressed = recv_data(ws)
    assert (opcode, compressed) == (TEXT, True)
    assert inflated(payload) == b"Server echo: " + text
    assert len(payload) < len(text) / 3
    ws.close()


def test_fragmented_and_plain_messages_on_a_compressing_connection(server):
    ws = RawWebSocket(server, "/ws/1", OFFER)
    text = chat(30).encode()
    body = deflated(text)
    ws.send_frame(TEXT, body[:10], fin=False, rsv=RSV1)
    ws.send_frame(PING, b"between")
    ws.send_frame(CONTINUATION, body[10:50], fin=False)
    ws.send_frame(CONTINUATION, body[50:])
    assert ws.recv_frame() == (0xA, b"between")
    opcode, payload, compressed = recv_data(ws)
    assert compressed and inflated(payload) == b"Server echo: " + text
    ws.send_frame(TEXT, b"short and plain")  # a client may send any message uncompressed
    assert recv_data(ws) == (TEXT, b"Server echo: short and plain", False)  # short: not worth compressing
    ws.close()


def test_a_broadcast_reaches_compressing_and_plain_clients_alike(server):
    compressing = RawWebSocket(server, "/ws/1", OFFER)
    plain = RawWebSocket(server, "/ws/2")
    assert extensions_of(plain.response_head) == []
    text = chat(50)
    assert broadcast(server, text) == 2
    opcode, payload, compressed = recv_data(compressing)
    assert compressed and inflated(payload).decode() == text
    assert recv_data(plain) == (TEXT, text.encode(), False)
    compressing.close()
    plain.close()


@pytest.mark.parametrize("size", [0, 1, 63, 64, 300, 70_000, 1_000_000])
def test_python_websockets_compresses_by_default_and_every_size_comes_back_byte_for_byte(server, size):
    text = (chat(size // 40 + 1))[:size]

    async def exchange():
        async with websockets.connect(server.ws_url(3), max_size=None) as ws:
            assert "permessage-deflate" in ws.response_headers["Sec-WebSocket-Extensions"]
            await ws.send(text)
            assert await ws.recv() == "Server echo: " + text
            await ws.send([text[: size // 2], text[size // 2:]])  # fragmented
            assert await ws.recv() == "Server echo: " + text
            if size:
                assert broadcast(server, text) == 1
                assert await ws.recv() == text

    run(exchange())


def test_metrics_show_the_bytes_before_and_after_compression(server):
    async def exchange():
        async with websockets.connect(server.ws_url(4)) as ws:
            for _ in range(20):
                await ws.send(chat(10))
                await ws.recv()

    run(exchange())
    sent = metric(server, 'wshub_deflate_message_bytes_total{direction="sent"}')
    sent_wire = metric(server, 'wshub_deflate_wire_bytes_total{direction="sent"}')
    received = metric(server, 'wshub_deflate_message_bytes_total{direction="received"}')
    received_wire = metric(server, 'wshub_deflate_wire_bytes_total{direction="received"}')
    assert received == 20 * len(chat(10))
    assert sent == received + 20 * len("Server echo: ")
    assert 0 < sent_wire < sent / 3
    assert 0 < received_wire < received / 3


def test_a_decompression_bomb_is_closed_with_1009_without_growing_the_server(start_server):
    # quarantine_size_mb=0: AddressSanitizer would otherwise keep freed buffers resident on purpose.
    server = start_server(env={"MAX_MESSAGE_BYTES": str(1 << 20), "ASAN_OPTIONS": "quarantine_size_mb=0"})
    bomb = deflated(bytes(64 << 20))
    assert len(bomb) < 100_000
    witness = RawWebSocket(server, "/ws/0", OFFER)
    before = resident_bytes(server.process.pid)
    for client_id in range(1, 6):
        ws = RawWebSocket(server, f"/ws/{client_id}", OFFER)
        ws.send_frame(TEXT, bomb, rsv=RSV1)
        assert ws.recv_close()[0] == 1009
        ws.close()
        assert_still_served(witness, client_id)
    assert resident_bytes(server.process.pid) - before < 8 << 20
    witness.close()


def assert_still_served(witness, round_number):
    """A client beside the bombs gets its echo, byte for byte."""
    text = f"still there after bomb {round_number}".encode()
    witness.send_frame(TEXT, text)
    assert recv_data(witness)[:2] == (TEXT, b"Server echo: " + text)


def test_a_bomb_in_many_small_fragments_is_closed_with_1009(start_server):
    server = start_server(env={"MAX_MESSAGE_BYTES": str(1 << 20)})
    bomb = deflated(bytes(8 << 20))
    witness = RawWebSocket(server, "/ws/0", OFFER)
    ws = RawWebSocket(server, "/ws/1", OFFER)
    ws.send_frame(TEXT, bomb[:100], fin=False, rsv=RSV1)
    try:
        for start in range(100, len(bomb), 100):
            ws.send_frame(CONTINUATION, bomb[start:start + 100], fin=False)
    except OSError:
        pass  # closed before the last fragment: the point of the test
    assert ws.recv_close()[0] == 1009
    assert_still_served(witness, 1)
    witness.close()


@pytest.mark.parametrize("why, frames", [
    ("RSV1 without negotiation", None),
    ("RSV1 on a continuation frame", [(TEXT, b"a", False, 0), (CONTINUATION, b"b", True, RSV1)]),
    ("RSV1 on a ping", [(PING, b"", True, RSV1)]),
    ("RSV2", [(TEXT, b"a", True, 0x20)]),
])
def test_misused_reserved_bits_close_with_1002(server, why, frames):
    if frames is None:
        ws = RawWebSocket(server, "/ws/1")
        frames = [(TEXT, deflated(b"hello"), True, RSV1)]
    else:
        ws = RawWebSocket(server, "/ws/1", OFFER)
    for opcode, payload, fin, rsv in frames:
        ws.send_frame(opcode, payload, fin=fin, rsv=rsv)
    assert ws.recv_close()[0] == 1002, why
    ws.close()


def test_a_compressed_message_that_is_not_deflate_closes_with_1007(server):
    ws = RawWebSocket(server, "/ws/1", OFFER)
    ws.send_frame(TEXT, b"\xff\xff\xff\xff", rsv=RSV1)
    assert ws.recv_close()[0] == 1007
    ws.close()


def test_echoes_refer_back_to_earlier_ones_and_a_client_that_keeps_its_window_reads_every_frame(server):
    ws = RawWebSocket(server, "/ws/1", OFFER)
    listener = RawWebSocket(server, "/ws/2", OFFER)
    client, other = ClientInflater(), ClientInflater()
    first_echo, echoes_after_echoes = 0, []
    for i in range(60):
        text = f'{{"from":"user{i % 7}","room":"lobby","text":"message number {i} for everyone in the room"}}'
        if i % 5 == 4:  # a broadcast, compressed once for both and landing in both windows
            assert broadcast(server, text) == 2
            expected = text.encode()
        elif i % 5 == 3:  # too short to compress: outside the window
            ws.send_frame(TEXT, text[:20].encode())
            expected = b"Server echo: " + text[:20].encode()
        else:
            ws.send_frame(TEXT, deflated(text.encode()), rsv=RSV1)
            expected = b"Server echo: " + text.encode()
        _, payload, compressed = recv_data(ws)
        assert client.text_of(payload, compressed) == expected, i
        if i == 0:
            first_echo = len(payload)
        elif i % 5 in (1, 2):  # the echo before it is in the window, with nothing since
            echoes_after_echoes.append(len(payload))
        if i % 5 == 4:
            _, payload, compressed = recv_data(listener)
            assert other.text_of(payload, compressed) == expected
    assert max(echoes_after_echoes) < first_echo / 2  # mostly references to the echoes before them
    ws.close()
    listener.close()


def test_more_busy_connections_than_deflaters_all_read_every_echo(start_server):
    server = start_server(env={"WS_DEFLATE_CONTEXTS": "2"})
    sockets = [RawWebSocket(server, f"/ws/{n}", OFFER) for n in range(1, 7)]
    inflaters = [ClientInflater() for _ in sockets]
    for round_number in range(20):
        for n, ws in enumerate(sockets):
            text = chat(3 + round_number % 4).encode()
            ws.send_frame(TEXT, deflated(text), rsv=RSV1)
            _, payload, compressed = recv_data(ws)
            assert compressed and inflaters[n].text_of(payload, True) == b"Server echo: " + text
        if round_number % 7 == 6:
            assert broadcast(server, chat(5)) == len(sockets)
            for n, ws in enumerate(sockets):
                _, payload, compressed = recv_data(ws)
                assert inflaters[n].text_of(payload, compressed) == chat(5).encode()
    for ws in sockets:
        ws.close()


def test_without_deflaters_the_server_says_it_keeps_no_history(start_server):
    server = start_server(env={"WS_DEFLATE_CONTEXTS": "0"})
    ws = RawWebSocket(server, "/ws/1", OFFER)
    assert extensions_of(ws.response_head) == [
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover"]
    for _ in range(3):
        ws.send_frame(TEXT, deflated(chat(5).encode()), rsv=RSV1)
        _, payload, compressed = recv_data(ws)
        assert compressed and inflated(payload) == b"Server echo: " + chat(5).encode()  # each on its own
    ws.close()


def test_a_compressed_message_of_invalid_utf8_closes_with_1007(server):
    ws = RawWebSocket(server, "/ws/1", OFFER)
    ws.send_frame(TEXT, deflated(b"caf\xc3("), rsv=RSV1)
    assert ws.recv_close()[0] == 1007
    ws.close()


@pytest.mark.parametrize("offer, accepted", [
    ("permessage-deflate", "permessage-deflate; client_no_context_takeover"),
    ("permessage-deflate; server_max_window_bits=10",
     "permessage-deflate; client_no_context_takeover; server_max_window_bits=10"),
    ('permessage-deflate; client_max_window_bits="12"',
     "permessage-deflate; client_no_context_takeover"),
    ("permessage-deflate; server_max_window_bits=8, permessage-deflate",
     "permessage-deflate; client_no_context_takeover"),
    ("x-webkit-deflate-frame, permessage-deflate; client_no_context_takeover",
     "permessage-deflate; client_no_context_takeover"),
    ("permessage-deflate; server_max_window_bits=8", None),
    ("permessage-deflate; unknown_parameter", None),
    ("permessage-deflate; server_no_context_takeover=1", None),
    ("permessage-deflate; client_max_window_bits=16", None),
    ("permessage-deflate; server_max_window_bits", None),
    ("permessage-deflate; server_no_context_takeover; server_no_context_takeover", None),
    ('permessage-deflate; client_max_window_bits="10', None),
    ("x-webkit-deflate-frame", None),
    (";;;,,,", None),
])
def test_every_odd_offer_gets_a_101_with_a_valid_answer_or_none(server, offer, accepted):
    ws = RawWebSocket(server, "/ws/1", f"Sec-WebSocket-Extensions: {offer}\r\n")
    answer = extensions_of(ws.response_head)
    if accepted is None:
        assert answer == []
    else:
        assert len(answer) == 1
        assert set(answer[0].split("; ")) == set(accepted.split("; "))
        text = chat(10).encode()
        ws.send_frame(TEXT, deflated(text), rsv=RSV1)
        _, payload, compressed = recv_data(ws)
        window = 10 if "server_max_window_bits=10" in answer[0] else 15
        assert compressed and zlib.decompressobj(wbits=-window).decompress(payload + b"\0\0\xff\xff") == (
            b"Server echo: " + text)
    ws.close()


def test_the_off_switch_declines_every_offer(start_server):
    server = start_server(env={"WS_PER_MESSAGE_DEFLATE": "false"})
    ws = RawWebSocket(server, "/ws/1", OFFER)
    assert extensions_of(ws.response_head) == []
    ws.send_frame(TEXT, deflated(b"hello"), rsv=RSV1)
    assert ws.recv_close()[0] == 1002
    ws.close()

    async def exchange():
        async with websockets.connect(server.ws_url(2)) as ws:
            assert "Sec-WebSocket-Extensions" not in ws.response_headers
            await ws.send(chat(10))
            assert await ws.recv() == "Server echo: " + chat(10)

    run(exchange())


def test_the_level_and_minimum_size_settings_take_effect(start_server):
    server = start_server(env={"WS_DEFLATE_LEVEL": "1", "WS_DEFLATE_MIN_BYTES": "0"})
    ws = RawWebSocket(server, "/ws/1", OFFER)
    ws.send_frame(TEXT, b"x")
    opcode, payload, compressed = recv_data(ws)
    assert compressed and inflated(payload) == b"Server echo: x"
    ws.close()
