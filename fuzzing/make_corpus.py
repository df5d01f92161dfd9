#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpus, fuzzing/corpus/<target>/: real requests, bodies, paths and client frames.

Run it after changing a seed here: python3 fuzzing/make_corpus.py. Files it did not write (such as inputs kept
from crashes) are left alone.
"""
import pathlib
import struct
import zlib

CORPUS = pathlib.Path(__file__).resolve().parent / "corpus"
KEY = "dGhlIHNhbXBsZSBub25jZQ=="  # RFC 6455 section 1.3's example


def request(head, body=b""):
    return head.replace("\n", "\r\n").encode() + b"\r\n" + body


def upgrade(path="/ws/1", version="13", key=KEY):
    return request(f"GET {path} HTTP/1.1\nHost: localhost:8000\nUpgrade: websocket\nConnection: Upgrade\n"
                   f"Sec-WebSocket-Key: {key}\nSec-WebSocket-Version: {version}\n")


BROADCAST = b'{"message":"Hello, clients!"}'

HTTP_REQUESTS = {
    "get_clients": request("GET /clients HTTP/1.1\nHost: localhost\n"),
    "get_clients_http10": request("GET /clients?verbose=1 HTTP/1.0\n"),
    "broadcast": request(f"POST /broadcast-to-all HTTP/1.1\nHost: localhost\nContent-Type: application/json\n"
                         f"Content-Length: {len(BROADCAST)}\n", BROADCAST),
    "broadcast_chunked": request("POST /broadcast-to-all HTTP/1.1\nHost: localhost\nTransfer-Encoding: chunked\n",
                                 b"d\r\n{\"message\":\"h\r\n7\r\ni\"}    \r\n0\r\n\r\n"),
    "broadcast_expect_continue": request("POST /broadcast-to-all HTTP/1.1\nHost: localhost\n"
                                         "Expect: 100-continue\nContent-Length: 13\n", b'{"message":5}'),
    "broadcast_wrong_method": request("DELETE /broadcast-to-all HTTP/1.1\nHost: localhost\nConnection: close\n"),
    "pipelined": request("GET /clients HTTP/1.1\nHost: a\n") + request("GET /nowhere HTTP/1.1\nHost: a\n"),
    "plain_get_on_ws": request("GET /ws/7 HTTP/1.1\nHost: localhost\n"),
    "upgrade": upgrade(),
    "upgrade_negative_id": upgrade("/ws/-5"),
    "upgrade_version_8": upgrade(version="8"),
    "upgrade_bad_key": upgrade(key="short"),
    "upgrade_on_clients": upgrade("/clients"),
    "upgrade_with_origin_and_frame": request("GET /ws/3?x=1 HTTP/1.1\nhost: a\nconnection: keep-alive, Upgrade\n"
                                             "UPGRADE: WebSocket\nOrigin: https://app.example.com\n"
                                             f"Sec-WebSocket-Key: {KEY}\nSec-WebSocket-Version: 13\n")
    + b"\x81\x82abcd\x09\x0b",
    "body_over_limit": request("POST /broadcast-to-all HTTP/1.1\nHost: localhost\nContent-Length: 16777217\n"),
    "headers_over_limit": request("GET /clients HTTP/1.1\nHost: localhost\nX-Padding: " + "a" * 8200 + "\n"),
    "not_http": b"HELLO THERE\r\n\r\n",
    "chunk_extensions_and_trailers": request("POST /broadcast-to-all HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n",
                                             b"d;a=1;b=\"q\"\r\n{\"message\":\"h\r\n4;c\r\ni\"}\n\r\n"
                                             b"0;last\r\nX-Trailer: 1\r\n\r\n"),
    "chunk_extension_over_limit": request("POST /broadcast-to-all HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n",
                                          b"1;e=" + b"v" * 8200 + b"\r\nx\r\n0\r\n\r\n"),
    "trailers_over_limit": request("POST /broadcast-to-all HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n",
                                   b"1\r\nx\r\n0\r\nX-Trailer: " + b"v" * 8200 + b"\r\n\r\n"),
    "transfer_encoding_not_final": request("POST /broadcast-to-all HTTP/1.1\nHost: a\n"
                                           "Transfer-Encoding: chunked, identity\n", b"GET /clients HTTP/1.1\r\n\r\n"),
    "transfer_encoding_gzip": request("POST /broadcast-to-all HTTP/1.1\nHost: a\nTransfer-Encoding: gzip, chunked\n",
                                      b"0\r\n\r\n"),
    "transfer_encoding_http10": request("POST /broadcast-to-all HTTP/1.0\nTransfer-Encoding: chunked\n", b"0\r\n\r\n"),
    "no_host": request("GET /clients HTTP/1.1\n"),
    "two_hosts": request("GET /clients HTTP/1.1\nHost: a\nHost: b\n"),
    "absolute_form": request("GET http://localhost:8000/clients?x=1 HTTP/1.1\nHost: localhost:8000\n"),
    "upgrade_absolute_form": upgrade("http://localhost:8000/ws/9"),
    "upgrade_two_keys": request("GET /ws/1 HTTP/1.1\nHost: a\nUpgrade: websocket\nConnection: Upgrade\n"
                                f"Sec-WebSocket-Key: {KEY}\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\n"
                                "Sec-WebSocket-Version: 13\n"),
    "upgrade_two_versions": request("GET /ws/1 HTTP/1.1\nHost: a\nUpgrade: websocket\nConnection: Upgrade\n"
                                    f"Sec-WebSocket-Key: {KEY}\nSec-WebSocket-Version: 13\nSec-WebSocket-Version: 13\n"),
}

BROADCAST_BODIES = {
    "message": BROADCAST,
    "message_unicode": '{"message": "caf\\u00e9 \u2603 \\ud83d\\ude00"}'.encode(),
    "message_and_more": b'{"other": [1, 2.5, true, null, {"a": {}}], "message": "x"}',
    "message_number": b'{"message": 5}',
    "message_null": b'{"message": null}',
    "no_message": b'{"text": "hi"}',
    "not_an_object": b'["message"]',
    "null": b"null",
    "truncated": b'{"message": "Hel',
    "multi_line_error": b'{\n  "message":\n  "x",\n}',
    "extra_data": b'{"message": "a"} {"message": "b"}',
    "deep": b'{"message": ' + b"[" * 40 + b"]" * 40 + b"}",
    "deep_as_python": b'{"message": "x", "a": ' + b"[" * 999 + b"]" * 999 + b"}",
    "too_deep": b'{"a": ' + b"[" * 1000 + b"]" * 1000 + b"}",
    "byte_order_mark": b'\xef\xbb\xbf{"message": "x"}',
}

SEND_TO_CLIENTS_BODIES = {
    "send": b'{"clients": [1, -2, 3], "message": "hi"}',
    "repeats": b'{"clients": [7, 7, 9223372036854775807, -9223372036854775808], "message": ""}',
    "empty_list": b'{"clients": [], "message": "x"}',
    "not_a_list": b'{"clients": 7, "message": "x"}',
    "bad_entries": b'{"clients": [1, "2", 3.0, null, [4], {"5": 5}, 18446744073709551615], "message": "x"}',
    "both_missing": b'{}',
    "nested_keys": b'{"a": {"clients": [1], "message": "x"}, "clients": [2], "message": "y"}',
    "last_wins": b'{"clients": [1], "clients": [2, 3], "message": "a", "message": "b"}',
    "too_many": ('{"clients": [' + ",".join("1" for _ in range(10_001)) + '], "message": "x"}').encode(),
}

CLIENT_IDS = {
    "positive": b"/ws/1",
    "negative": b"/ws/-5",
    "leading_zeros": b"/ws/007",
    "percent_encoded": b"/ws/%2D%31",
    "max": b"/ws/9223372036854775807",
    "min": b"/ws/-9223372036854775808",
    "too_big": b"/ws/9223372036854775808",
    "not_a_number": b"/ws/abc",
    "fraction": b"/ws/1.5",
    "more_segments": b"/ws/1/2",
    "missing": b"/ws/",
    "root": b"/ws",
    "other_path": b"/clients",
    "long_and_binary": b"/ws/" + b"\xff\x00" * 30,
}

MASK = b"\x37\xfa\x21\x3d"


def frame(opcode, payload=b"", final=True, masked=True, rsv=0, length=None):
    """A client frame: the shortest length form unless length is given, masked with MASK."""
    size = len(payload) if length is None else length
    head = bytes([(0x80 if final else 0) | rsv | opcode])
    mask_bit = 0x80 if masked else 0
    if size < 126:
        head += bytes([mask_bit | size])
    elif size <= 0xFFFF:
        head += bytes([mask_bit | 126]) + struct.pack("!H", size)
    else:
        head += bytes([mask_bit | 127]) + struct.pack("!Q", size)
    if not masked:
        return head + payload
    return head + MASK + bytes(b ^ MASK[i % 4] for i, b in enumerate(payload))


TEXT, BINARY, CLOSE, PING, PONG, CONTINUATION = 0x1, 0x2, 0x8, 0x9, 0xA, 0x0

def deflated(text):
    """A message compressed as a permessage-deflate client does (RFC 7692 section 7.2.1)."""
    compressor = zlib.compressobj(wbits=-15)
    return (compressor.compress(text) + compressor.flush(zlib.Z_SYNC_FLUSH))[:-4]


CHAT = b'{"from":"alice","text":"see you at the station"}' * 8
FRAMES = {
    "text": frame(TEXT, b"hello"),
    "two_texts": frame(TEXT, b"one") + frame(TEXT, "två".encode()),
    "text_16_bit_length": frame(TEXT, b"x" * 200),
    "fragmented_with_ping": frame(TEXT, b"frag", final=False) + frame(PING, b"p")
    + frame(CONTINUATION, b"men", final=False) + frame(CONTINUATION, b"ted"),
    "utf8_split_across_fragments": frame(TEXT, "€".encode()[:1], final=False)
    + frame(CONTINUATION, "€".encode()[1:]),
    "ping_pong": frame(PING, b"are you there") + frame(PONG, b"yes"),
    "close_with_reason": frame(TEXT, b"bye") + frame(CLOSE, struct.pack("!H", 1000) + b"done"),
    "close_empty": frame(CLOSE),
    "close_bad_code": frame(CLOSE, struct.pack("!H", 1005)),
    "binary": frame(BINARY, b"\x00\x01"),
    "unmasked": frame(TEXT, b"hi", masked=False),
    "reserved_bits": frame(TEXT, b"hi", rsv=0x40),
    "invalid_utf8": frame(TEXT, b"\xc0\xaf"),
    "oversized_length": frame(TEXT, length=1 << 40),
    "oversized_fragments": frame(TEXT, b"a" * 600, final=False) + frame(CONTINUATION, b"b" * 600),
    "ping_too_long": frame(PING, b"x" * 126),
    "continuation_first": frame(CONTINUATION, b"x"),
    "compressed_hello": frame(TEXT, b"\xf2\x48\xcd\xc9\xc9\x07\x00", rsv=0x40),
    "compressed_then_plain": frame(TEXT, deflated(CHAT), rsv=0x40) + frame(TEXT, b"plain"),
    "compressed_fragments": frame(TEXT, deflated(CHAT)[:20], final=False, rsv=0x40) + frame(PING, b"p")
    + frame(CONTINUATION, deflated(CHAT)[20:]),
    "compressed_bomb": frame(TEXT, deflated(b"\0" * 100_000), rsv=0x40),
    "compressed_continuation": frame(TEXT, b"x", final=False) + frame(CONTINUATION, b"y", rsv=0x40),
}

# Sec-WebSocket-Extensions fields, one per line, after a byte choosing what the server asks (bit 0:
# server_no_context_takeover, bit 1: client_no_context_takeover).
DEFLATE_OFFERS = {
    "firefox": b"\x03permessage-deflate",
    "chromium": b"\x03permessage-deflate; client_max_window_bits",
    "python_websockets": b"\x00permessage-deflate; server_max_window_bits=12; client_max_window_bits=12",
    "node_ws_all_parameters": b"\x01permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
                              b"server_max_window_bits=10; client_max_window_bits=11",
    "first_declined": b"\x02permessage-deflate; server_max_window_bits=8, permessage-deflate; mem_level=8, "
                      b"x-webkit-deflate-frame, permessage-deflate; server_max_window_bits=9",
    "quoted": b'\x03permessage-deflate; server_max_window_bits="1\\1"; client_max_window_bits="15"',
    "whitespace_and_empty_elements": b"\x00 , permessage-deflate \t;\tserver_max_window_bits = 14 ,, ",
    "several_fields": b"\x01x-other; a=b\npermessage-deflate; client_no_context_takeover\npermessage-deflate",
    "malformed": b"\x03permessage-deflate, x y\npermessage-deflate; a=\"open",
    "repeated_and_valued_flags": b"\x00permessage-deflate; server_no_context_takeover; server_no_context_takeover, "
                                 b"permessage-deflate; client_no_context_takeover=1, permessage-deflate; "
                                 b"server_max_window_bits",
}



def deflated(payload, level=6, flush_every=None, final=False):
    """One permessage-deflate message (RFC 7692 section 7.2.1): raw DEFLATE, sync-flushed, 00 00 ff ff removed."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    pieces = [payload[i:i + flush_every] for i in range(0, len(payload), flush_every)] if flush_every else [payload]
    out = b"".join(compressor.compress(piece) + compressor.flush(zlib.Z_SYNC_FLUSH) for piece in pieces)
    if final:
        return out + compressor.flush(zlib.Z_FINISH) + b"\x00"
    return out[:-4]


CHAT = b'{"type":"chat","room":"general","user":"ada","text":"shall we meet at noon? the build is green again"}'

COMPRESSED_MESSAGES = {
    "rfc7692_hello": bytes.fromhex("f248cdc9c90700"),
    "rfc7692_bfinal": bytes.fromhex("f348cdc9c9070000"),
    "rfc7692_two_blocks": bytes.fromhex("f2480500 0000ffff cac9c90700".replace(" ", "")),
    "rfc7692_stored": bytes.fromhex("000500faff48656c6c6f00"),
    "rfc7692_empty": b"\x00",
    "chat": deflated(CHAT),
    "chat_level_9_flushed_every_16_bytes": deflated(CHAT, 9, 16),
    "chat_final_block": deflated(CHAT, final=True),
    "data_after_final_block": deflated(b"Hello", final=True) + deflated(b", world"),
    "bomb": deflated(bytes(1 << 16), 9),
    "repetitive": deflated(b"abcdefgh" * 700),
}

def write(target, seeds):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in seeds.items():
        (folder / name).write_bytes(data)


if __name__ == "__main__":
    write("http_request", HTTP_REQUESTS)
    write("broadcast_request", BROADCAST_BODIES)
    write("send_to_clients_request", SEND_TO_CLIENTS_BODIES)
    write("client_id", CLIENT_IDS)
    write("deflate_negotiation", DEFLATE_OFFERS)
    write("websocket_frames", FRAMES)
    write("message_inflater", COMPRESSED_MESSAGES)
