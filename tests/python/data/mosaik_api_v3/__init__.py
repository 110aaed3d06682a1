"""A minimal stand-in for mosaik_api_v3, which Debian does not package, for the tests' simulators.

It has what the test simulators use: the ``Simulator`` base class with mosaik_api_v3's defaults
and ``start_simulation``, which serves a simulator over mosaik's protocol (4-byte big-endian
length, then the UTF-8 JSON ``[type, id, content]``; requests ``[method, args, kwargs]``) on a
connection to ``HOST:PORT`` from the command line, as a ``cmd`` simulator.
"""

import json
import socket
import struct
import sys
import traceback

__version__ = "3.0.13"
__api_version__ = __version__

REQUEST, SUCCESS, FAILURE = 0, 1, 2


class Simulator:
    mosaik = None

    def __init__(self, meta):
        self.meta = {"api_version": __api_version__, "models": {}, "extra_methods": [], "type": "time-based"}
        self.meta.update(meta)

    def init(self, sid, time_resolution=1.0, **sim_params):
        return self.meta

    def create(self, num, model, **model_params):
        raise NotImplementedError

    def setup_done(self):
        pass

    def step(self, time, inputs, max_advance):
        raise NotImplementedError

    def get_data(self, outputs):
        raise NotImplementedError

    def finalize(self):
        pass


class _Connection:
    def __init__(self, sock):
        self.sock = sock
        self.file = sock.makefile("rb")

    def receive(self):
        header = self.file.read(4)
        if len(header) < 4:
            return None
        (size,) = struct.unpack(">I", header)
        return json.loads(self.file.read(size).decode("utf-8"))

    def send(self, message):
        data = json.dumps(message, separators=(",", ":")).encode("utf-8")
        self.sock.sendall(struct.pack(">I", len(data)) + data)


def start_simulation(simulator, description="", extra_options=None, configure_logging=True):
    """Connects to mosaik at ``sys.argv[1]`` and answers its calls until ``stop``."""
    host, port = sys.argv[1].rsplit(":", 1)
    connection = _Connection(socket.create_connection((host, int(port))))
    try:
        while True:
            message = connection.receive()
            if message is None:
                return 0
            _, msg_id, (method, args, kwargs) = message
            if method == "stop":
                return 0
            try:
                connection.send([SUCCESS, msg_id, getattr(simulator, method)(*args, **kwargs)])
            except Exception as e:  # the failure goes back to mosaik, as mosaik_api_v3 does it
                connection.send([FAILURE, msg_id, "".join(traceback.format_exception(e))])
    finally:
        simulator.finalize()
        sys.stdout.flush()
