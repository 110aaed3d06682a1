"""The tutorial's ExampleSim as a Python program that speaks mosaik's simulator protocol itself.

mas-run starts it the way mosaik starts a Python simulator (`%(python)s example_sim.py
%(addr)s`), so it checks that a simulator written in Python, with Python's own json module on
the wire, runs under mas-run exactly as the C++ example-sim does. Only the standard library is
used: the real mosaik_api_v3 package cannot be installed here.
"""

import socket
import sys

from mosaik_wire import read_message, send

META = {
    "api_version": "3.0",
    "type": "hybrid",
    "models": {
        "ExampleModel": {
            "public": True,
            "params": ["init_val"],
            "attrs": ["delta", "val"],
            "trigger": ["delta"],
        },
    },
    "extra_methods": [],
}


class ExampleSim:
    def __init__(self):
        self.eid_prefix = "Model_"
        self.entities = {}  # eid -> {"val": ..., "delta": ...}, in creation order
        self.time = 0

    def init(self, sid, time_resolution=1.0, eid_prefix=None):
        if float(time_resolution) != 1.0:
            raise ValueError("ExampleSim only supports time_resolution=1.")
        if eid_prefix is not None:
            self.eid_prefix = eid_prefix
        return META

    def create(self, num, model, init_val):
        created = []
        for _ in range(num):
            eid = "%s%d" % (self.eid_prefix, len(self.entities))
            self.entities[eid] = {"val": init_val, "delta": 1}
            created.append({"eid": eid, "type": model})
        return created

    def setup_done(self):
        return None

    def step(self, time, inputs, max_advance):
        self.time = time
        for eid, model in self.entities.items():
            if eid in inputs and "delta" in inputs[eid]:
                model["delta"] = sum(inputs[eid]["delta"].values())
            model["val"] = model["val"] + model["delta"]
        return time + 1

    def get_data(self, outputs):
        data = {"time": self.time}
        for eid, attrs in outputs.items():
            data[eid] = {attr: self.entities[eid][attr] for attr in attrs}
        return data


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    sock = socket.create_connection((host, int(port)))
    sim = ExampleSim()
    while True:
        message = read_message(sock)
        if message is None:
            break
        message_type, message_id, content = message
        if message_type != 0:
            continue  # this simulator makes no requests, so it expects no replies
        method, args, kwargs = content
        if method == "stop":
            send(sock, [1, message_id, None])
            break
        try:
            result = getattr(sim, method)(*args, **kwargs)
        except Exception as error:  # a failure reply with the reason
            send(sock, [2, message_id, "%s: %s" % (type(error).__name__, error)])
            continue
        send(sock, [1, message_id, result])
    sock.close()


if __name__ == "__main__":
    main()
