"""mosaik's framing for the test simulators written in Python: a 4-byte big-endian length, then
the JSON of `[type, id, content]`. Standard library only, as a mosaik_api_v3 simulator sends it."""

import json
import struct


def read_exactly(sock, size):
    """`size` bytes from `sock`, or None once the other side has closed."""
    chunks = []
    while size:
        chunk = sock.recv(size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_message(sock):
    """The next `[type, id, content]`, or None once the other side has closed."""
    header = read_exactly(sock, 4)
    if header is None:
        return None
    return json.loads(read_exactly(sock, struct.unpack("!L", header)[0]))


def send(sock, message):
    payload = json.dumps(message).encode()
    sock.sendall(struct.pack("!L", len(payload)) + payload)
