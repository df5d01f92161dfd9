"""The Autobahn TestSuite's server cases (sections 1-7, 9, 12 and 13) as data: what each sends and what wshub answers.

Each case keeps Autobahn's number, description and expectation, and says in steps what the raw client sends and
what it must read back. The same data runs the cases (test_autobahn.py, test_autobahn_limits.py) and writes the
table in docs/conformance.md: `python3 tests/e2e/autobahn_cases.py` rewrites it, and a test checks it is current.
"""
import itertools
import os
import pathlib
import random
import re
import select
import socket
import struct
import sys
import zlib
from dataclasses import dataclass, field

import pytest

from conftest import MIB, RawWebSocket

CONTINUATION, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
ECHO_PREFIX = b"Server echo: "
NORMAL, PROTOCOL_ERROR, UNSUPPORTED_DATA, INVALID_PAYLOAD = 1000, 1002, 1003, 1007
KIB = 1024

# What Autobahn would report for wshub's behaviour in a case (its own words), and one verdict of ours.
OK, NON_STRICT, INFORMATIONAL, UNIMPLEMENTED = "OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED"
BY_DESIGN = "by design"  # a binary message: Autobahn expects an echo, wshub closes with 1003 as the README says


def repeat(pattern, length):
    """Autobahn's payload_len: the pattern repeated and cut to length."""
    return (pattern * (length // len(pattern) + 1))[:length] if pattern else b""


def show(data):
    """A payload as the table shows it: short text quoted, anything else by size or in hex."""
    if len(data) > 32:
        return f"{len(data)} bytes"
    try:
        text = data.decode()
    except UnicodeDecodeError:
        return "0x" + data.hex() if data else "''"
    return repr(text) if text.isprintable() else "0x" + data.hex()


def mask(payload, key):
    """XORs a payload with a 4-byte key as one big integer: fast enough for 16 MiB in Python."""
    if not payload:
        return b""
    stream = repeat(key, len(payload))
    return (int.from_bytes(payload, "little") ^ int.from_bytes(stream, "little")).to_bytes(len(payload), "little")


@dataclass
class Frame:
    """One client frame; `length` repeats the payload as Autobahn's payload_len does."""
    opcode: int
    payload: bytes = b""
    fin: bool = True
    rsv: int = 0
    length: int | None = None
    key: bytes = field(default_factory=lambda: os.urandom(4), repr=False)

    def data(self):
        return self.payload if self.length is None else repeat(self.payload, self.length)

    def wire(self):
        data = self.data()
        first = (0x80 if self.fin else 0) | self.rsv << 4 | self.opcode
        if len(data) < 126:
            header = struct.pack("!BB", first, 0x80 | len(data))
        elif len(data) < 1 << 16:
            header = struct.pack("!BBH", first, 0x80 | 126, len(data))
        else:
            header = struct.pack("!BBQ", first, 0x80 | 127, len(data))
        return header + self.key + mask(data, self.key)

    def header_bytes(self):
        return len(self.wire()) - len(self.data())

    def frames(self):
        return [self]


def close_frame(code=None, reason=b"", **frame):
    return Frame(CLOSE, (b"" if code is None else struct.pack("!H", code)) + reason, **frame)


@dataclass
class Message:
    """A message cut into frames of `size` payload bytes (Autobahn's sendMessage), made only when it is sent."""
    opcode: int
    payload: bytes
    size: int
    length: int | None = None  # as Frame's

    def frames(self):
        data = self.payload if self.length is None else repeat(self.payload, self.length)
        pieces = [data[i:i + self.size] for i in range(0, len(data), self.size)] or [b""]
        last = len(pieces) - 1
        return [Frame(self.opcode if i == 0 else CONTINUATION, piece, fin=i == last) for i, piece in enumerate(pieces)]


class Client(RawWebSocket):
    """The raw client with a growable buffer (16 MiB echoes), no Nagle delay, and the close it has sent."""

    def __init__(self, server, path, offer=""):
        super().__init__(server, path, f"Sec-WebSocket-Extensions: {offer}\r\n" if offer else "")
        self.sock.settimeout(10)  # the longest any one answer may take, even 16 MiB under AddressSanitizer
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = bytearray(self.buffer)
        self.sent_close = False

    def send_bytes(self, data):
        # The server may fail the connection before it has read everything; what it answered is still readable.
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _read(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError(f"closed by the server while {count - len(self.buffer)} bytes were awaited")
            self.buffer += chunk
        data = bytes(self.buffer[:count])
        del self.buffer[:count]
        return data

    def expect_eof(self):
        """The server closes the TCP connection first, with nothing after its close frame."""
        assert not self.buffer, f"bytes after the close frame: {bytes(self.buffer[:64])!r}"
        assert self.sock.recv(4096) == b"", "bytes after the close frame"


# Steps: what the client sends, and what it must read back, in order. `shows` is the step in the doc's table.

@dataclass
class Send:
    """Frames (or Messages) written in one go (chop None), one write per frame ("frame"), or in writes of `chop` bytes."""
    frames: list
    chop: int | str | None = None

    def run(self, ws):
        frames = [frame for item in self.frames for frame in item.frames()]
        if any(frame.opcode == CLOSE for frame in frames):
            ws.sent_close = True
        if self.chop == "frame":
            for frame in frames:
                ws.send_bytes(frame.wire())
            return
        wire = b"".join(frame.wire() for frame in frames)
        step = self.chop or len(wire) or 1
        for start in range(0, len(wire), step):
            ws.send_bytes(wire[start:start + step])

    shows = None


@dataclass
class SendPart:
    """Part of one frame's bytes: from its start (header included) or a payload offset, up to a payload offset."""
    frame: Frame
    payload_start: int
    payload_stop: int

    def run(self, ws):
        header = self.frame.header_bytes()
        start = 0 if self.payload_start == 0 else header + self.payload_start
        ws.send_bytes(self.frame.wire()[start:header + self.payload_stop])

    shows = None


@dataclass
class Echo:
    """A text frame: "Server echo: " and the text (repeated to `length`, as sent)."""
    text: bytes
    length: int | None = None

    def run(self, ws):
        expected = ECHO_PREFIX + (self.text if self.length is None else repeat(self.text, self.length))
        opcode, payload = ws.recv_frame()
        assert (opcode, len(payload)) == (TEXT, len(expected)), f"expected an echo, got {opcode}, {show(payload)}"
        assert payload == expected

    @property
    def shows(self):
        return f"echo of {self.length} bytes" if self.length is not None else f"echo {show(self.text)}"


@dataclass
class Pong:
    payload: bytes

    def run(self, ws):
        opcode, payload = ws.recv_frame()
        assert (opcode, payload) == (PONG, self.payload), f"expected a pong, got {opcode}, {show(payload)}"

    @property
    def shows(self):
        return f"pong {show(self.payload)}"


@dataclass
class Closed:
    """The server's close frame with `code` (None: an empty one), then its FIN; the client answers the close."""
    code: int | None

    def run(self, ws):
        opcode, payload = ws.recv_frame()
        assert opcode == CLOSE, f"expected a close frame, got {opcode}, {show(payload)}"
        code = struct.unpack("!H", payload[:2])[0] if payload else None
        assert code == self.code, f"closed with {code} ({payload[2:]!r}), expected {self.code}"
        if not ws.sent_close:
            ws.send_bytes(close_frame(code).wire())
            ws.sent_close = True
        ws.expect_eof()

    @property
    def shows(self):
        return "empty close frame" if self.code is None else f"close {self.code}"


@dataclass
class CloseHandshake:
    """The client closes with 1000; the server answers 1000 and closes the TCP connection: a clean close."""

    def run(self, ws):
        Send([close_frame(NORMAL)]).run(ws)
        Closed(NORMAL).run(ws)

    shows = "clean close 1000"


@dataclass
class Quiet:
    """Nothing arrives for a while: an absence has no event to wait for, so this is the one bounded wait."""
    seconds: float = 0.2

    def run(self, ws):
        readable, _, _ = select.select([ws.sock], [], [], self.seconds)
        assert not ws.buffer and not readable, "the server answered before the invalid part was sent"

    @property
    def shows(self):
        return "nothing yet"


@dataclass
class RoundTrips:
    """Autobahn 9.7: one text message at a time, the next once its echo is back."""
    count: int
    size: int

    def run(self, ws):
        for _ in range(self.count):
            Send([Frame(TEXT, b"*", length=self.size)]).run(ws)
            Echo(b"*", self.size).run(ws)

    @property
    def shows(self):
        return f"{self.count} echoes of {self.size} bytes"


def deflate_parameters(head):
    """The permessage-deflate parameters of a 101's Sec-WebSocket-Extensions, as a set; None without it."""
    answers = [line.split(":", 1)[1].strip() for line in head.split("\r\n")
               if line.lower().startswith("sec-websocket-extensions:")]
    assert len(answers) <= 1, answers
    if not answers:
        return None
    name, *parameters = [part.strip() for part in answers[0].split(";")]
    assert name == "permessage-deflate", answers[0]
    return frozenset(parameters)


@dataclass
class Negotiated:
    """The 101 accepted permessage-deflate with these parameters (in any order), or declined it (None)."""
    parameters: frozenset | None

    def run(self, ws):
        assert deflate_parameters(ws.response_head) == self.parameters

    @property
    def shows(self):
        if self.parameters is None:
            return "101 without permessage-deflate"
        return "101 with permessage-deflate; " + "; ".join(sorted(self.parameters))


def corpus(kind):
    """Autobahn's test data stand-ins, made the same every time: a large JSON document and a large HTML page (ASCII,
    so that any slice is valid UTF-8, as Autobahn's are)."""
    words = random.Random(7).choices(
        "the a of to and hub message client server broadcast frame window deflate socket node cluster redis "
        "echo text json html table row cell link page title body value key list item".split(), k=60_000)
    if kind == "json":
        records = (f'{{"id":{i},"name":"{words[i]} {words[i + 1]}","tags":["{words[i + 2]}","{words[i + 3]}"],'
                   f'"score":{(i * 7919) % 1000 / 10},"text":"{" ".join(words[i:i + 12])}"}}' for i in
                   range(0, 50_000, 13))
        return ("[" + ",\n".join(records) + "]").encode()
    rows = (f'<tr class="r{i % 3}"><td><a href="/{words[i]}/{i}">{words[i + 1]}</a></td><td>{" ".join(words[i:i + 9])}'
            f'</td></tr>' for i in range(0, 50_000, 11))
    return ("<html><head><title>data</title></head><body><table>\n" + "\n".join(rows) +
            "\n</table></body></html>").encode()


CORPORA = {"json": corpus("json"), "html": corpus("html")}


@dataclass
class CompressedEchoes:
    """Autobahn 12.x and 13.x: messages cut one after another from a corpus, each compressed on its own by the client
    (as the server asked, client_no_context_takeover) and sent in frames of `fragment` bytes of compressed payload
    (0: one frame); each echo is read before the next is sent, and inflated if it came compressed, by one inflater
    for the connection that keeps its window unless the server answered server_no_context_takeover."""
    corpus: str
    size: int
    count: int
    fragment: int
    compressed: bool  # whether the server accepted compression: without it both sides send plain frames
    server_keeps_context: bool = False  # the server may refer back to the echoes it sent before

    def messages(self):
        data = CORPORA[self.corpus]
        position = 0
        for _ in range(self.count):
            yield (data + data[:self.size])[position:position + self.size]
            position = (position + self.size) % len(data)

    def frames(self, message):
        if not self.compressed:
            return [Frame(TEXT, message)]
        compressor = zlib.compressobj(wbits=-15)
        payload = (compressor.compress(message) + compressor.flush(zlib.Z_SYNC_FLUSH))[:-4]
        step = self.fragment or len(payload) or 1
        pieces = [payload[i:i + step] for i in range(0, len(payload), step)] or [b""]
        last = len(pieces) - 1
        return [Frame(TEXT if i == 0 else CONTINUATION, piece, fin=i == last, rsv=4 if i == 0 else 0)
                for i, piece in enumerate(pieces)]

    def run(self, ws):
        inflater = zlib.decompressobj(wbits=-15)
        for message in self.messages():
            Send(self.frames(message)).run(ws)
            opcode, payload = ws.recv_frame()
            if ws.last_rsv1:
                assert self.compressed, "a compressed frame on a connection that did not negotiate it"
                if not self.server_keeps_context:
                    inflater = zlib.decompressobj(wbits=-15)
                payload = inflater.decompress(payload + b"\x00\x00\xff\xff")
            assert (opcode, len(payload)) == (TEXT, len(ECHO_PREFIX) + self.size), f"got {opcode}, {len(payload)} B"
            assert payload == ECHO_PREFIX + message

    @property
    def shows(self):
        how = "compressed" if self.compressed else "plain"
        return f"{self.count} {how} echoes of {self.size} bytes"


@dataclass(frozen=True)
class Case:
    id: str
    description: str  # Autobahn's DESCRIPTION: what the case sends
    expectation: str  # Autobahn's EXPECTATION
    steps: tuple
    verdict: str = OK  # what Autobahn would report for what wshub does
    note: str = ""     # why wshub does what it does, where that is not plain
    offer: str = ""    # the Sec-WebSocket-Extensions of the upgrade request (sections 12 and 13)

    @property
    def section(self):
        return int(self.id.split(".")[0])

    def answers(self):
        shown = [step.shows for step in self.steps if step.shows]
        return ", then ".join(shown) if shown else "nothing"

    def run(self, server):
        """Plays the case on a new connection with an id of its own."""
        ws = Client(server, f"/ws/{next(CLIENT_IDS)}", self.offer)
        try:
            for step in self.steps:
                step.run(ws)
        finally:
            ws.close()


def echoed(description, expectation, frames, text, chop=None, length=None):
    """The common shape: send, read the echo, close cleanly."""
    return description, expectation, (Send(frames, chop), Echo(text, length), CloseHandshake())


def refused_binary(description, expectation, frames, chop=None):
    return (description, expectation, (Send(frames, chop), Closed(UNSUPPORTED_DATA)), BY_DESIGN,
            "binary messages are refused with 1003")


def failed(description, expectation, frames, code=PROTOCOL_ERROR, chop=None, before=()):
    """The server fails the connection with `code`, after the answers in `before` (NON-STRICT allows none)."""
    return description, expectation, (Send(frames, chop), *before, Closed(code))


def section_1():
    yield "1.1.1", *echoed("Send text message with payload 0.",
                           "Receive echo'ed text message (with empty payload). Clean close with normal code.",
                           [Frame(TEXT)], b"")
    sizes = [(2, 125), (3, 126), (4, 127), (5, 128), (6, 65535), (7, 65536)]
    for number, size in sizes:
        yield f"1.1.{number}", *echoed(
            f"Send text message message with payload of length {size}.",
            "Receive echo'ed text message (with payload as sent). Clean close with normal code.",
            [Frame(TEXT, b"*" * size)], b"*", length=size)
    yield "1.1.8", *echoed(
        "Send text message message with payload of length 65536. Sent out data in chops of 997 octets.",
        "Receive echo'ed text message (with payload as sent). Clean close with normal code.",
        [Frame(TEXT, b"*" * 65536)], b"*", chop=997, length=65536)
    yield "1.2.1", *refused_binary(
        "Send binary message with payload 0.",
        "Receive echo'ed binary message (with empty payload). Clean close with normal code.", [Frame(BINARY)])
    for number, size in sizes:
        yield f"1.2.{number}", *refused_binary(
            f"Send binary message message with payload of length {size}.",
            "Receive echo'ed binary message (with payload as sent). Clean close with normal code.",
            [Frame(BINARY, b"\xfe" * size)])
    yield "1.2.8", *refused_binary(
        "Send binary message message with payload of length 65536. Sent out data in chops of 997 octets.",
        "Receive echo'ed binary message (with payload as sent). Clean close with normal code.",
        [Frame(BINARY, b"\xfe" * 65536)], chop=997)


def pinged(description, expectation, payload, chop=None):
    return description, expectation, (Send([Frame(PING, payload)], chop), Pong(payload), CloseHandshake())


def section_2():
    yield "2.1", *pinged("Send ping without payload.",
                         "Pong (with empty payload) is sent in reply to Ping. Clean close with normal code.", b"")
    echoed_pong = "Pong with payload echo'ed is sent in reply to Ping. Clean close with normal code."
    yield "2.2", *pinged("Send ping with small text payload.", echoed_pong, b"Hello, world!")
    yield "2.3", *pinged("Send ping with small binary (non UTF-8) payload.", echoed_pong,
                         b"\x00\xff\xfe\xfd\xfc\xfb\x00\xff")
    yield "2.4", *pinged("Send ping with binary payload of 125 octets.", echoed_pong, b"\xfe" * 125)
    yield "2.5", *failed("Send ping with binary payload of 126 octets.",
                         "Connection is failed immediately (1002/Protocol Error), since control frames are only "
                         "allowed to have payload up to and including 125 octets..", [Frame(PING, b"\xfe" * 126)])
    yield "2.6", *pinged("Send ping with binary payload of 125 octets, send in octet-wise chops.",
                         "Pong with payload echo'ed is sent in reply to Ping. Implementations must be TCP clean. "
                         "Clean close with normal code.", b"\xfe" * 125, chop=1)
    yield "2.7", *("Send unsolicited pong without payload. Verify nothing is received. Clean close with normal code.",
                  "Nothing.", (Send([Frame(PONG)]), CloseHandshake()))
    yield "2.8", *("Send unsolicited pong with payload. Verify nothing is received. Clean close with normal code.",
                  "Nothing.", (Send([Frame(PONG, b"unsolicited pong payload")]), CloseHandshake()))
    yield "2.9", *("Send unsolicited pong with payload. Send ping with payload. Verify pong for ping is received.",
                  "Nothing in reply to own Pong, but Pong with payload echo'ed in reply to Ping. Clean close with "
                  "normal code.",
                  (Send([Frame(PONG, b"unsolicited pong payload"), Frame(PING, b"ping payload")]),
                   Pong(b"ping payload"), CloseHandshake()))
    ten_pongs = ("Pongs for our Pings with all the payloads. Note: This is not required by the Spec .. but we check "
                 "for this behaviour anyway. Clean close with normal code.")
    payloads = [b"payload-%d" % i for i in range(10)]
    yield "2.10", *("Send 10 Pings with payload.", ten_pongs,
                   (Send([Frame(PING, p) for p in payloads]), *map(Pong, payloads), CloseHandshake()))
    yield "2.11", *("Send 10 Pings with payload. Send out octets in octet-wise chops.", ten_pongs,
                   (Send([Frame(PING, p) for p in payloads], chop=1), *map(Pong, payloads), CloseHandshake()))


# Autobahn's verdict when a case fails the connection after an echo: OK if the echo came first, NON-STRICT if not.
ECHO_THEN_FAIL = "Echo for first message is received, but then connection is failed immediately, since {}"


def then_failed(description, why, bad_frame, chop=None):
    hello = b"Hello, world!"
    return failed(description, ECHO_THEN_FAIL.format(why),
                  [Frame(TEXT, hello), bad_frame, Frame(PING)], chop=chop, before=[Echo(hello)])


def section_3():
    rsv_must_be_0 = "RSV must be 0, when no extension defining RSV meaning has been negotiated. The Pong is not received."
    hello = b"Hello, world!"
    yield "3.1", *failed("Send small text message with RSV = 1.",
                         "The connection is failed immediately (1002/protocol error), since RSV must be 0, when no "
                         "extension defining RSV meaning has been negotiated.", [Frame(TEXT, hello, rsv=1)])
    yield "3.2", *then_failed("Send small text message, then send again with RSV = 2, then send Ping.",
                              rsv_must_be_0, Frame(TEXT, hello, rsv=2))
    yield "3.3", *then_failed("Send small text message, then send again with RSV = 3, then send Ping. Octets are sent "
                              "in frame-wise chops. Octets are sent in octet-wise chops.",
                              rsv_must_be_0, Frame(TEXT, hello, rsv=3), chop="frame")
    yield "3.4", *then_failed("Send small text message, then send again with RSV = 4, then send Ping. Octets are sent "
                              "in octet-wise chops.", rsv_must_be_0, Frame(TEXT, hello, rsv=4), chop=1)
    must_be_0 = "The connection is failed immediately, since RSV must be 0."
    yield "3.5", *failed("Send small binary message with RSV = 5.", must_be_0,
                         [Frame(BINARY, b"\x00\xff\xfe\xfd\xfc\xfb\x00\xff", rsv=5)])
    # Autobahn's 3.6 says Ping but sends a binary frame; we send what it sends.
    yield "3.6", *failed("Send Ping with RSV = 6.", must_be_0, [Frame(BINARY, hello, rsv=6)])
    yield "3.7", *failed("Send Close with RSV = 7.", must_be_0, [Frame(CLOSE, rsv=7)])


def section_4():
    immediately = "The connection is failed immediately."
    reserved = "reserved opcode frame is used. A Pong is not received."
    payload = b"reserved opcode payload"
    hello = b"Hello, world!"
    for sub, kind, opcodes in [(1, "non-control", (3, 4, 5, 6, 7)), (2, "control", (11, 12, 13, 14, 15))]:
        first, second, third, fourth, fifth = opcodes
        yield f"4.{sub}.1", *failed(f"Send frame with reserved {kind} Opcode = {first}.", immediately,
                                    [Frame(first)])
        yield f"4.{sub}.2", *failed(f"Send frame with reserved {kind} Opcode = {second} and non-empty payload.",
                                    immediately, [Frame(second, payload)])
        yield f"4.{sub}.3", *then_failed(f"Send small text message, then send frame with reserved {kind} Opcode = "
                                         f"{third}, then send Ping.", reserved, Frame(third))
        yield f"4.{sub}.4", *then_failed(f"Send small text message, then send frame with reserved {kind} Opcode = "
                                         f"{fourth} and non-empty payload, then send Ping.", reserved,
                                         Frame(fourth, hello))
        yield f"4.{sub}.5", *then_failed(f"Send small text message, then send frame with reserved {kind} Opcode = "
                                         f"{fifth} and non-empty payload, then send Ping.", reserved,
                                         Frame(fifth, hello), chop=1)


def section_5():
    must_not_fragment = "Connection is failed immediately, since control message MUST NOT be fragmented."
    for number, opcode, name in [(1, PING, "Ping"), (2, PONG, "Pong")]:
        yield f"5.{number}", *failed(f"Send {name} fragmented into 2 fragments.", must_not_fragment,
                                     [Frame(opcode, b"fragment1", fin=False), Frame(CONTINUATION, b"fragment2")])
    two = [Frame(TEXT, b"fragment1", fin=False), Frame(CONTINUATION, b"fragment2")]
    echoed_back = "Message is processed and echo'ed back to us."
    chops = [(None, ""), ("frame", ", octets are sent in frame-wise chops"), (1, ", octets are sent in octet-wise chops")]
    for number, (chop, how) in zip((3, 4, 5), chops):
        yield f"5.{number}", *echoed(f"Send text Message fragmented into 2 fragments{how}.", echoed_back, two,
                                     b"fragment1fragment2", chop=chop)
    for number, (chop, how) in zip((6, 7, 8), chops):
        how = how.replace(", octets", ". Octets")
        with_ping = [two[0], Frame(PING, b"ping payload"), two[1]]
        yield f"5.{number}", *(f"Send text Message fragmented into 2 fragments, one ping with payload in-between{how}.",
                              "A pong is received, then the message is echo'ed back to us.",
                              (Send(with_ping, chop), Pong(b"ping payload"), Echo(b"fragment1fragment2"),
                               CloseHandshake()))
    nothing_to_continue = "The connection is failed immediately, since there is no message to continue."
    in_chops = [(None, "in one chop"), ("frame", "in per-frame chops"), (1, "in octet-wise chops")]
    for first, fin in [(9, True), (12, False)]:
        for number, (chop, how) in zip(range(first, first + 3), in_chops):
            yield f"5.{number}", *failed(
                f"Send unfragmented Text Message after Continuation Frame with FIN = {str(fin).lower()}, where there "
                f"is nothing to continue, sent {how}.", nothing_to_continue,
                [Frame(CONTINUATION, b"non-continuation payload", fin=fin), Frame(TEXT, b"Hello, world!")], chop=chop)
    yield "5.15", *failed(
        "Send text Message fragmented into 2 fragments, then Continuation Frame with FIN = false where there is "
        "nothing to continue, then unfragmented Text Message, all sent in one chop.", nothing_to_continue,
        [*two, Frame(CONTINUATION, b"fragment3", fin=False), Frame(TEXT, b"fragment4")],
        before=[Echo(b"fragment1fragment2")])
    for number, fin in [(16, False), (17, True)]:
        once = [Frame(CONTINUATION, b"fragment1", fin=fin), Frame(TEXT, b"fragment2", fin=False),
                Frame(CONTINUATION, b"fragment3")]
        yield f"5.{number}", *failed(
            f"Repeated 2x: Continuation Frame with FIN = {str(fin).lower()} (where there is nothing to continue), "
            "then text Message fragmented into 2 fragments.", nothing_to_continue, once + once)
    yield "5.18", *failed("Send text Message fragmented into 2 fragments, with both frame opcodes set to text, sent "
                          "in one chop.", "The connection is failed immediately, since all data frames after the "
                          "initial data frame must have opcode 0.",
                          [Frame(TEXT, b"fragment1", fin=False), Frame(TEXT, b"fragment2")])
    for number, chop in [(19, None), (20, "frame")]:
        parts = [b"fragment%d" % i for i in range(1, 6)]
        # Autobahn waits 1 s after the first ping to see its pong before the message ends; we wait for the pong.
        yield f"5.{number}", *(
            "A fragmented text message is sent in multiple frames. After sending the first 2 frames of the text "
            "message, a Ping is sent. Then we wait 1s, then we send 2 more text fragments, another Ping and then "
            "the final text fragment. Everything is legal." if number == 19 else
            "Same as Case 5.19, but send all frames with SYNC = True. Note, this does not change the octets sent in "
            "any way, only how the stream is chopped up on the wire.",
            "The peer immediately answers the first Ping before it has received the last text message fragment. The "
            "peer pong's back the Ping's payload exactly, and echo's the payload of the fragmented message back to us."
            if number == 19 else "Same as Case 5.19. Implementations must be agnostic to how octet stream is chopped "
            "up on wire (must be TCP clean).",
            (Send([Frame(TEXT, parts[0], fin=False), Frame(CONTINUATION, parts[1], fin=False),
                   Frame(PING, b"pongme 1!")], chop),
             Pong(b"pongme 1!"),
             Send([Frame(CONTINUATION, parts[2], fin=False), Frame(CONTINUATION, parts[3], fin=False),
                   Frame(PING, b"pongme 2!"), Frame(CONTINUATION, parts[4])], chop),
             Pong(b"pongme 2!"), Echo(b"".join(parts)), CloseHandshake()))


def utf8_test_sequences():
    """Autobahn's createUtf8TestSequences (after Markus Kuhn's UTF-8-test.txt): (group title, [(valid, bytes)])."""
    kosme = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"

    def valid(data):
        try:
            data.decode()
            return True
        except UnicodeDecodeError:
            return False

    missing_last = [b"\xc0", b"\xe0\x80", b"\xf0\x80\x80", b"\xf8\x80\x80\x80", b"\xfc\x80\x80\x80\x80",
                    b"\xdf", b"\xef\xbf", b"\xf7\xbf\xbf", b"\xfb\xbf\xbf\xbf", b"\xfd\xbf\xbf\xbf\xbf"]
    non_characters = [b"\xef\xbf\xbe", b"\xef\xbf\xbf"]
    for lead in b"\xf0\xf1\xf2\xf3\xf4":
        for second in b"\x8f\x9f\xaf\xbf":
            if lead == 0xF4 and second != 0x8F:
                continue  # above U+10FFFF
            for last in b"\xbe\xbf":
                sequence = bytes([lead, second, 0xBF, last])
                if sequence not in (b"\xf0\x8f\xbf\xbe", b"\xf0\x8f\xbf\xbf"):  # overlong
                    non_characters.append(sequence)
    invalid = False
    groups = [
        ("Some valid UTF-8 sequences", [b"hello\x24world", b"hello\xc2\xa2world", b"hello\xe2\x82\xacworld",
                                        b"hello\xf0\xa4\xad\xa2world", kosme], True),
        ("All prefixes of a valid UTF-8 string that contains multi-byte code points",
         [kosme[:i] for i in range(1, len(kosme) + 1)], None),
        ("First possible sequence of a certain length", [b"\x00", b"\xc2\x80", b"\xe0\xa0\x80", b"\xf0\x90\x80\x80"],
         True),
        ("First possible sequence length 5/6 (invalid codepoints)",
         [b"\xf8\x88\x80\x80\x80", b"\xfc\x84\x80\x80\x80\x80"], invalid),
        ("Last possible sequence of a certain length", [b"\x7f", b"\xdf\xbf", b"\xef\xbf\xbf", b"\xf4\x8f\xbf\xbf"],
         True),
        ("Last possible sequence length 4/5/6 (invalid codepoints)",
         [b"\xf7\xbf\xbf\xbf", b"\xfb\xbf\xbf\xbf\xbf", b"\xfd\xbf\xbf\xbf\xbf\xbf"], invalid),
        ("Other boundary conditions", [b"\xed\x9f\xbf", b"\xee\x80\x80", b"\xef\xbf\xbd", b"\xf4\x8f\xbf\xbf",
                                       b"\xf4\x90\x80\x80"], None),
        ("Unexpected continuation bytes", [b"\x80", b"\xbf", b"\x80\xbf", b"\x80\xbf\x80", b"\x80\xbf\x80\xbf",
                                           b"\x80\xbf\x80\xbf\x80", b"\x80\xbf\x80\xbf\x80\xbf",
                                           bytes(range(0x80, 0xBF))], invalid),
        ("Lonely start characters", [b"".join(bytes([byte, 0x20]) for byte in range(first, last))
                                     for first, last in [(0xC0, 0xDF), (0xE0, 0xEF), (0xF0, 0xF7), (0xF8, 0xFB),
                                                         (0xFC, 0xFD)]], invalid),
        ("Sequences with last continuation byte missing", missing_last, invalid),
        ("Concatenation of incomplete sequences", [b"".join(missing_last)], invalid),
        ("Impossible bytes", [b"\xfe", b"\xff", b"\xfe\xfe\xff\xff"], invalid),
        ("Examples of an overlong ASCII character", [b"\xc0\xaf", b"\xe0\x80\xaf", b"\xf0\x80\x80\xaf",
                                                     b"\xf8\x80\x80\x80\xaf", b"\xfc\x80\x80\x80\x80\xaf"], invalid),
        ("Maximum overlong sequences", [b"\xc1\xbf", b"\xe0\x9f\xbf", b"\xf0\x8f\xbf\xbf", b"\xf8\x87\xbf\xbf\xbf",
                                        b"\xfc\x83\xbf\xbf\xbf\xbf"], invalid),
        ("Overlong representation of the NUL character", [b"\xc0\x80", b"\xe0\x80\x80", b"\xf0\x80\x80\x80",
                                                          b"\xf8\x80\x80\x80\x80", b"\xfc\x80\x80\x80\x80\x80"],
         invalid),
        ("Single UTF-16 surrogates", [b"\xed\xa0\x80", b"\xed\xad\xbf", b"\xed\xae\x80", b"\xed\xaf\xbf",
                                      b"\xed\xb0\x80", b"\xed\xbe\x80", b"\xed\xbf\xbf"], invalid),
        ("Paired UTF-16 surrogates", [high + low for high in (b"\xed\xa0\x80", b"\xed\xad\xbf", b"\xed\xae\x80",
                                                              b"\xed\xaf\xbf")
                                      for low in (b"\xed\xb0\x80", b"\xed\xbf\xbf")], invalid),
        ("Non-character code points (valid UTF-8)", non_characters, True),
        ("Unicode specials (i.e. replacement char)", [b"\xef\xbf" + bytes([last]) for last in range(0xB9, 0xC0)],
         True),
    ]
    for title, sequences, validity in groups:
        judged = [(valid(s) if validity is None else validity, s) for s in sequences]
        assert all(valid(s) == ok for ok, s in judged), title
        yield title, judged


def section_6():
    echoed_back = "A message is echo'ed back to us (with empty payload)."
    yield "6.1.1", *echoed("Send text message of length 0.", echoed_back, [Frame(TEXT)], b"")
    yield "6.1.2", *echoed("Send fragmented text message, 3 fragments each of length 0.", echoed_back,
                           [Frame(TEXT, fin=False), Frame(CONTINUATION, fin=False), Frame(CONTINUATION)], b"")
    middle = b"middle frame payload"
    yield "6.1.3", *echoed("Send fragmented text message, 3 fragments, first and last of length 0, middle non-empty.",
                           "A message is echo'ed back to us (with payload = payload of middle fragment).",
                           [Frame(TEXT, fin=False), Frame(CONTINUATION, middle, fin=False), Frame(CONTINUATION)],
                           middle)
    hello = "Hello-µ@ßöäüàá-UTF-8!!".encode()
    yield "6.2.1", *echoed(f"Send a valid UTF-8 text message in one fragment. MESSAGE: {hello.hex()}",
                           "The message is echo'ed back to us.", [Frame(TEXT, hello)], hello)
    first, second = "Hello-µ@ßöä".encode(), "üàá-UTF-8!!".encode()
    yield "6.2.2", *echoed("Send a valid UTF-8 text message in two fragments, fragmented on UTF-8 code point "
                           f"boundary. MESSAGE FRAGMENT 1: {first.hex()} MESSAGE FRAGMENT 2: {second.hex()}",
                           "The message is echo'ed back to us.",
                           [Frame(TEXT, first, fin=False), Frame(CONTINUATION, second)], hello)
    kosme = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"
    for number, text in [(3, hello), (4, kosme)]:
        yield f"6.2.{number}", *echoed(
            "Send a valid UTF-8 text message in fragments of 1 octet, resulting in frames ending on positions which "
            f"are not code point ends. MESSAGE: {text.hex()}", "The message is echo'ed back to us.",
            [Message(TEXT, text, 1)], text)
    # Invalid exactly at byte 12 (0xa0: ED A0 80 would be a surrogate).
    surrogate = kosme + b"\xed\xa0\x80" + b"edited"
    not_utf8 = "The connection is failed immediately, since the payload is not valid UTF-8."
    yield "6.3.1", *failed(f"Send invalid UTF-8 text message unfragmented. MESSAGE: {surrogate.hex()}", not_utf8,
                           [Frame(TEXT, surrogate)], INVALID_PAYLOAD)
    yield "6.3.2", *failed("Send invalid UTF-8 text message in fragments of 1 octet, resulting in frames ending on "
                           f"positions which are not code point ends. MESSAGE: {surrogate.hex()}", not_utf8,
                           [Message(TEXT, surrogate, 1)], INVALID_PAYLOAD)
    yield from fail_fast_cases(kosme)
    for group, (title, sequences) in enumerate(utf8_test_sequences(), start=5):
        for number, (ok, data) in enumerate(sequences, start=1):
            validity = "valid" if ok else "not valid"
            description = f"Send a text message with payload which is {validity} UTF-8 in one fragment. " \
                          f"Payload: 0x{data.hex()} ({title})"
            if ok:
                yield f"6.{group}.{number}", *echoed(description, "The message is echo'ed back to us.",
                                                     [Frame(TEXT, data)], data)
            else:
                yield f"6.{group}.{number}", *failed(description, not_utf8, [Frame(TEXT, data)], INVALID_PAYLOAD)


def fail_fast_cases(kosme):
    """6.4: the server must fail on the byte that makes the text invalid, before the rest of the message comes."""
    part1, part2, part3 = kosme, b"\xf4\x90\x80\x80", b"edited"  # part2 would be U+110000
    payload = part1 + part2 + part3
    fail_fast = ("The {0} is accepted, we expect to timeout on the first wait. The 2nd {1} should be rejected "
                 "immediately (fail fast on UTF-8). If we timeout, we expect the connection is failed at least "
                 "then, since the complete message payload is not valid UTF-8.")
    parts = f"PART1 = {part1.hex()} PART2 = {part2.hex()} PART3 = {part3.hex()}"
    parts_at_12 = f"PART1 = {payload[:12].hex()} PART2 = {payload[12:13].hex()} PART3 = {payload[13:].hex()}"
    # Autobahn sends PART3 only if the connection is still open a second after PART2; we never send it, so the
    # close must come from PART2 alone.
    for number, cut in [(1, len(part1)), (2, 12)]:
        invalid_end = cut + len(part2) if number == 1 else cut + 1
        yield f"6.4.{number}", *(
            "Send invalid UTF-8 text message in 3 fragments (frames). First frame payload is valid, then wait, then "
            "2nd frame which contains the payload making the sequence invalid, then wait, then 3rd frame with rest. "
            "Note that PART1 and PART3 are valid UTF-8 in themselves, PART2 is a 0x110000 encoded as in the UTF-8 "
            f"integer encoding scheme, but the codepoint is invalid (out of range). MESSAGE PARTS: {parts}"
            if number == 1 else "Same as Case 6.4.1, but in 2nd frame, we send only up to and including the octet "
            f"making the complete payload invalid. MESSAGE PARTS: {parts_at_12}",
            fail_fast.format("first frame", "frame"),
            (Send([Frame(TEXT, payload[:cut], fin=False)]), Quiet(),
             Send([Frame(CONTINUATION, payload[cut:invalid_end], fin=False)]), Closed(INVALID_PAYLOAD)))
    for number, cut in [(3, len(part1)), (4, 12)]:
        invalid_end = cut + len(part2) if number == 3 else cut + 1
        frame = Frame(TEXT, payload)
        yield f"6.4.{number}", *(
            "Same as Case 6.4.1, but we send message not in 3 frames, but in 3 chops of the same message frame. "
            f"MESSAGE PARTS: {parts}" if number == 3 else "Same as Case 6.4.2, but we send message not in 3 frames, "
            f"but in 3 chops of the same message frame. MESSAGE PARTS: {parts_at_12}",
            fail_fast.format("first chop", "chop"),
            (SendPart(frame, 0, cut), Quiet(), SendPart(frame, cut, invalid_end), Closed(INVALID_PAYLOAD)))


def section_7():
    clean = "Clean close with normal code."
    yield "7.1.1", *("Send a message followed by a close frame", "Echoed message followed by clean close with normal "
                    "code.", (Send([Frame(TEXT, b"Hello World!")]), Echo(b"Hello World!"), CloseHandshake()))
    yield "7.1.2", *("Send two close frames", "Clean close with normal code. Second close frame ignored.",
                    (Send([close_frame(NORMAL), close_frame()]), Closed(NORMAL)))
    yield "7.1.3", *("Send a ping after close message", "Clean close with normal code, no pong.",
                    (Send([close_frame(NORMAL), Frame(PING)]), Closed(NORMAL)))
    yield "7.1.4", *("Send text message after sending a close frame.", "Clean close with normal code. Text message "
                    "ignored.", (Send([close_frame(NORMAL), Frame(TEXT, b"Hello World!")]), Closed(NORMAL)))
    yield "7.1.5", *("Send message fragment1 followed by close then fragment", clean,
                    (Send([Frame(TEXT, b"fragment1", fin=False), close_frame(NORMAL),
                           Frame(CONTINUATION, b"fragment2")]), Closed(NORMAL)))
    big = Frame(TEXT, b"BAsd7&jh23", length=256 * KIB)
    yield "7.1.6", *("Send 256K message followed by close then a ping",
                    "Case outcome depends on implementation defined close behavior. Message and close frame are "
                    "sent back to back. If the close frame is processed before the text message write is complete "
                    "(as can happen in asynchronous processing models) the close frame is processed first and the "
                    "text message may not be received or may only be partially received.",
                    (Send([big, Frame(TEXT, b"Hello World!"), close_frame(NORMAL), Frame(PING)]),
                     Echo(b"BAsd7&jh23", 256 * KIB), Echo(b"Hello World!"), Closed(NORMAL)),
                    INFORMATIONAL, "frames are handled in order: both echoes, then the close; the ping is ignored")
    payload_cases = [
        ("7.3.1", "Send a close frame with payload length 0 (no close code, no close reason)", clean, b"", None),
        ("7.3.2", "Send a close frame with payload length 1", "Clean close with protocol error or drop TCP.", b"a",
         PROTOCOL_ERROR),
        ("7.3.3", "Send a close frame with payload length 2 (regular close with a code)", clean,
         struct.pack("!H", NORMAL), NORMAL),
        ("7.3.4", "Send a close frame with close code and close reason", clean,
         struct.pack("!H", NORMAL) + b"Hello World!", NORMAL),
        ("7.3.5", "Send a close frame with close code and close reason of maximum length (123)", clean,
         struct.pack("!H", NORMAL) + b"*" * 123, NORMAL),
        ("7.3.6", "Send a close frame with close code and close reason which is too long (124) - total frame "
         "payload 126 octets", "Clean close with protocol error code or dropped TCP connection.",
         struct.pack("!H", NORMAL) + b"*" * 124, PROTOCOL_ERROR),
        ("7.5.1", "Send a close frame with invalid UTF8 payload", "Clean close with protocol error or invalid utf8 "
         "code or dropped TCP.", struct.pack("!H", NORMAL) + b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"
         b"\xed\xa0\x80edited", INVALID_PAYLOAD),
    ]
    for case_id, description, expectation, payload, answer in payload_cases:
        note = "an empty close frame is answered with an empty one" if answer is None else ""
        yield case_id, description, expectation, (Send([Frame(CLOSE, payload)]), Closed(answer)), OK, note
    valid = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999]
    for number, code in enumerate(valid, start=1):
        yield f"7.7.{number}", *(f"Send close with valid close code {code}", "Clean close with normal or echoed code",
                                (Send([close_frame(code)]), Closed(code)), OK, "the client's code is sent back")
    for number, code in enumerate([0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999], start=1):
        yield f"7.9.{number}", *(f"Send close with invalid close code {code}", "Clean close with protocol error code "
                                "or drop TCP", (Send([close_frame(code)]), Closed(PROTOCOL_ERROR)))
    for number, code in [(1, 5000), (2, 65535)]:
        yield f"7.13.{number}", *(f"Send close with close code {code}", "Actual events are undefined by the spec.",
                                 (Send([close_frame(code)]), Closed(PROTOCOL_ERROR)), INFORMATIONAL,
                                 "codes above 4999 are not for use on the wire, so the close fails with 1002")


def section_9():
    sizes = [(1, 64 * KIB, "64 * 2**10 (64k)"), (2, 256 * KIB, "256 * 2**10 (256k)"), (3, MIB, "1 * 2**20 (1M)"),
             (4, 4 * MIB, "4 * 2**20 (4M)"), (5, 8 * MIB, "8 * 2**20 (8M)"), (6, 16 * MIB, "16 * 2**20 (16M)")]
    sixteen = "16 MiB is exactly the message limit, so it is accepted; the echo is 13 bytes longer and goes out"
    for number, size, shown in sizes:
        yield f"9.1.{number}", *echoed(f"Send text message message with payload of length {shown}.",
                                       "Receive echo'ed text message (with payload as sent).",
                                       [Frame(TEXT, b"BAsd7&jh23", length=size)], b"BAsd7&jh23", length=size), \
            OK, sixteen if size == 16 * MIB else ""
    for number, size, shown in sizes:
        # Autobahn's own description of 9.2.5 says 16M for its 8M message.
        shown = "8 * 2**20 (16M)" if number == 5 else shown
        yield f"9.2.{number}", *refused_binary(f"Send binary message message with payload of length {shown}.",
                                               "Receive echo'ed binary message (with payload as sent).",
                                               [Frame(BINARY, b"\x00\xfe\x23\xfa\xf0", length=size)])
    fragment_sizes = [(64, "64"), (256, "256"), (KIB, "1k"), (4 * KIB, "4k"), (16 * KIB, "16k"), (64 * KIB, "64k"),
                      (256 * KIB, "256k"), (MIB, "1M"), (4 * MIB, "4M")]
    for number, (size, shown) in enumerate(fragment_sizes, start=1):
        total = "4 * 2**20 (8M)" if number == 9 else "4 * 2**20 (4M)"  # sic: Autobahn's 9.3.9 says 8M
        yield f"9.3.{number}", *echoed(
            f"Send fragmented text message message with message payload of length {total}. Sent out in fragments "
            f"of {shown}.", "Receive echo'ed text message (with payload as sent).",
            [Message(TEXT, b"*", size, 4 * MIB)], b"*", length=4 * MIB)
    for number, (size, shown) in enumerate(fragment_sizes, start=1):
        yield f"9.4.{number}", *refused_binary(
            "Send fragmented binary message message with message payload of length 4 * 2**20 (4M). Sent out in "
            f"fragments of {shown}.", "Receive echo'ed binary message (with payload as sent).",
            [Message(BINARY, b"\xfe", size, 4 * MIB)])
    for number, chop in enumerate([64, 128, 256, 512, 1024, 2048], start=1):
        yield f"9.5.{number}", *echoed(
            f"Send text message message with payload of length 1 * 2**20 (1M). Sent out data in chops of {chop} "
            "octets.", "Receive echo'ed text message (with payload as sent).",
            [Frame(TEXT, b"BAsd7&jh23", length=MIB)], b"BAsd7&jh23", chop=chop, length=MIB)
    for number, chop in enumerate([64, 128, 256, 512, 1024, 2048], start=1):
        yield f"9.6.{number}", *refused_binary(
            f"Send binary message message with payload of length 1 * 2**20 (1M). Sent out data in chops of {chop} "
            "octets.", "Receive echo'ed binary message (with payload as sent).",
            [Frame(BINARY, b"\x00\xfe\x23\xfa\xf0", length=MIB)], chop=chop)
    round_trips = [(0, 60), (16, 60), (64, 60), (256, 120), (1024, 240), (4096, 480)]
    for number, (size, seconds) in enumerate(round_trips, start=1):
        yield f"9.7.{number}", *(
            f"Send 1000 text messages of payload size {size} to measure implementation/network RTT (round trip "
            "time) / latency.", f"Receive echo'ed text messages (with payload as sent). Timeout case after "
            f"{seconds} secs.", (RoundTrips(1000, size), CloseHandshake()))
    for number, (size, seconds) in enumerate(round_trips, start=1):
        yield f"9.8.{number}", *refused_binary(
            f"Send 1000 binary messages of payload size {size} to measure implementation/network RTT (round trip "
            f"time) / latency.", f"Receive echo'ed binary messages (with payload as sent). Timeout case after "
            f"{seconds} secs.", [Frame(BINARY, b"\xfe", length=size)])


# Autobahn's (payload size, auto-fragment size) of every 12.x and 13.x case; it sends 1000 messages in each.
COMPRESSION_SIZES = [(16, 0), (64, 0), (256, 0), (1024, 0), (4096, 0), (8192, 0), (16384, 0), (32768, 0), (65536, 0),
                     (131072, 0), (8192, 256), (16384, 256), (32768, 256), (65536, 256), (131072, 256),
                     (131072, 1024), (131072, 4096), (131072, 32768)]
# Autobahn's default offer (autobahn-python's PerMessageDeflateOffer()), and what wshub answers to it: the server
# keeps its history (context takeover), the client does not.
DEFAULT_OFFER = "permessage-deflate; client_no_context_takeover; client_max_window_bits"
SERVER_NCT = "server_no_context_takeover"
SERVER_CONTEXT_TAKEOVER = frozenset({"client_no_context_takeover"})
NO_CONTEXT_TAKEOVER = frozenset({SERVER_NCT, "client_no_context_takeover"})
MESSAGE_BYTES_PER_CASE = 512 * KIB  # at most this much text per case, so the sections run in seconds


def message_count(size):
    """Autobahn's 1000 messages up to 512 bytes each, fewer above (512 KiB of text a case, at least 4 messages)."""
    return min(1000, max(4, MESSAGE_BYTES_PER_CASE // size))


def compressed_echoes(number, corpus_name, offer, answer, what):
    for case, (size, fragment) in enumerate(COMPRESSION_SIZES, start=1):
        count = message_count(size)
        verdict, note = OK, "" if count == 1000 else f"{count} of Autobahn's 1000 messages, to bound the suite's time"
        if answer is None:
            verdict = UNIMPLEMENTED
            note = "zlib's raw DEFLATE cannot keep to a 256-byte window, so the offer is declined; echoes stay plain"
        yield (f"{number}.{case}", f"Send 1000 compressed messages each of payload size {size}, auto-fragment to "
               f"{fragment} octets. Use {what}.",
               "Receive echo'ed messages (with payload as sent).",
               (Negotiated(answer), CompressedEchoes(corpus_name, size, count, fragment, answer is not None,
                                                     answer is not None and SERVER_NCT not in answer),
                CloseHandshake()), verdict, note, offer)


def refused_compressed_binary(number, description):
    for case, (size, fragment) in enumerate(COMPRESSION_SIZES, start=1):
        frames = [Frame(BINARY, zlib.compressobj(wbits=-15).compress(os.urandom(size)), rsv=4)]
        yield (f"{number}.{case}", f"Send 1000 compressed messages each of payload size {size}, auto-fragment to "
               f"{fragment} octets. Use default permessage-deflate offer. ({description})",
               "Receive echo'ed messages (with payload as sent).", (Send(frames), Closed(UNSUPPORTED_DATA)), BY_DESIGN,
               "binary messages are refused with 1003", DEFAULT_OFFER)


def section_12():
    default = "default permessage-deflate offer"
    yield from compressed_echoes("12.1", "json", DEFAULT_OFFER, SERVER_CONTEXT_TAKEOVER, default + " (a large JSON file)")
    yield from refused_compressed_binary("12.2", "a bitmap picture, binary")
    yield from refused_compressed_binary("12.3", "Goethe's Faust I, sent as binary by Autobahn")
    yield from compressed_echoes("12.4", "html", DEFAULT_OFFER, SERVER_CONTEXT_TAKEOVER, default + " (a large HTML file)")
    yield from refused_compressed_binary("12.5", "a PDF, binary")


def section_13():
    def offer(no_context_takeover, window_bits):
        text = DEFAULT_OFFER + (f"; server_max_window_bits={window_bits}" if window_bits else "")
        return text + ("; server_no_context_takeover" if no_context_takeover else "")

    window_15 = {"server_max_window_bits=15"}
    offers = [((False, 0),), ((True, 0),), ((False, 8),), ((False, 15),), ((True, 8),), ((True, 15),),
              ((True, 8), (True, 0), (False, 0))]
    answers = [SERVER_CONTEXT_TAKEOVER, NO_CONTEXT_TAKEOVER, None, SERVER_CONTEXT_TAKEOVER | window_15, None,
               NO_CONTEXT_TAKEOVER | window_15, NO_CONTEXT_TAKEOVER]
    for number, (offered, answer) in enumerate(zip(offers, answers), start=1):
        what = ("permessage-deflate client offers (requestNoContextTakeover, requestMaxWindowBits): "
                + str(list(offered)))
        yield from compressed_echoes(f"13.{number}", "json", ", ".join(offer(*each) for each in offered), answer, what)


def all_cases():
    sections = [section_1, section_2, section_3, section_4, section_5, section_6, section_7, section_9, section_12,
                section_13]
    return [Case(case_id, *rest) for section in sections for case_id, *rest in section()]


CASES = all_cases()
CLIENT_IDS = itertools.count(1)


def cases_of(*sections):
    """The cases of these sections as pytest parameters named by their numbers ("5.19")."""
    return [pytest.param(case, id=case.id) for case in CASES if case.section in sections]
SECTION_TITLES = {1: "Framing", 2: "Pings/Pongs", 3: "Reserved Bits", 4: "Opcodes", 5: "Fragmentation",
                  6: "UTF-8 Handling", 7: "Close Handling", 9: "Limits/Performance",
                  12: "WebSocket Compression (different payloads)",
                  13: "WebSocket Compression (different parameters)"}


def cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_tables():
    """The summary and the table of every case, as docs/conformance.md shows them."""
    verdicts = (OK, NON_STRICT, INFORMATIONAL, UNIMPLEMENTED, BY_DESIGN)
    lines = ["| section | cases | OK | NON-STRICT | INFORMATIONAL | UNIMPLEMENTED | binary refused by design |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for section, title in SECTION_TITLES.items():
        cases = [case for case in CASES if case.section == section]
        counts = [sum(case.verdict == verdict for case in cases) for verdict in verdicts]
        lines.append(f"| {section} {title} | {len(cases)} | " + " | ".join(map(str, counts)) + " |")
    counts = [sum(case.verdict == verdict for case in CASES) for verdict in verdicts]
    lines.append(f"| all | {len(CASES)} | " + " | ".join(map(str, counts)) + " |")
    lines += ["", "| case | what it sends (Autobahn's description) | Autobahn expects | wshub answers | verdict |",
              "| --- | --- | --- | --- | --- |"]
    for case in CASES:
        answers = case.answers() + (f" ({case.note})" if case.note else "")
        lines.append(f"| {case.id} | {cell(case.description)} | {cell(case.expectation)} | {cell(answers)} "
                     f"| {case.verdict} |")
    return "\n".join(lines) + "\n"


DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "conformance.md"
GENERATED = re.compile(r"(<!-- cases: begin.*?-->\n)(.*?)(<!-- cases: end -->)", re.S)


def documented_tables():
    return GENERATED.search(DOC.read_text()).group(2)


if __name__ == "__main__":
    DOC.write_text(GENERATED.sub(lambda m: m.group(1) + markdown_tables() + m.group(3), DOC.read_text()))
    print(f"wrote {len(CASES)} cases to {DOC}", file=sys.stderr)
