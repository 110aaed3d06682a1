#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets into corpus/<target>/seed-*.

Run it from anywhere; it reads the recorded conformance transcripts in tests/conformance/data and
the scenario files, and writes only files whose names start with "seed-" (inputs found by fuzzing
are kept next to them under other names). The seeds are the recorded frames themselves, so the
fuzzer starts from what real aiomas, mosaik and aiomsg peers send.
"""
import json
import pathlib
import struct

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DATA = ROOT / "tests" / "conformance" / "data"
CORPUS = HERE / "corpus"


def frame(payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + payload


def records(name):
    with open(name, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line) if line.strip() else {}
            if "raw" in record or "raw_hex" in record:  # not the end-of-stream events
                yield record


def payload_of(record) -> bytes:
    if "raw_hex" in record:
        return bytes.fromhex(record["raw_hex"])
    return record["raw"].encode("utf-8")


def write(target, name, data: bytes):
    directory = CORPUS / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"seed-{name}").write_bytes(data)


def aiomas_seeds():
    for path in sorted((DATA / "aiomas").glob("*.jsonl")):
        msgpack = path.name.startswith("msgpack")
        codec = "codec_msgpack_blosc" if "blosc" in path.name else "codec_msgpack" if msgpack else "codec_json"
        by_direction = {}
        for i, record in enumerate(records(path)):
            payload = payload_of(record)
            write(codec, f"{path.stem}-{i}", payload)
            by_direction.setdefault(record["dir"], []).append(frame(payload))
        if not msgpack:
            # What a client sent, as one stream: the RPC target's requests, and frames split
            # anywhere for the frame reader (first byte: size limit; second: read pattern).
            requests = b"".join(by_direction.get("c->s", []))
            write("rpc_dispatch", path.stem, requests)
            write("frame_reader", f"{path.stem}-whole", b"\xff\xff" + requests)
            write("frame_reader", f"{path.stem}-bytes", b"\xff\x00" + requests)
            write("frame_reader", f"{path.stem}-limit", b"\x04\x55" + requests)


def rpc_seeds():
    calls = [
        [0, 0, ["add", [1, 2], {}]],
        [0, 1, ["add", [1], {"b": 2.5}]],
        [0, 2, ["concat", [["a", "b"], "-"], {}]],
        [0, 3, ["echo", [{"x": [1, None, True]}], {}]],
        [0, 4, ["twice", [21], {}]],
        [0, 5, ["boom", [], {}]],
        [0, 6, ["numbers/sub", [5, 3], {}]],
        [0, 7, ["dict/more/sub", [], {"a": 1, "b": 2}]],
        [0, 8, ["ping", [{"__type__": [0, ""]}, 1], {}]],
        [0, 9, ["nope", [], {}]],
    ]
    write("rpc_dispatch", "tree", b"".join(frame(json.dumps(c).encode()) for c in calls))


def mosaik_seeds():
    sessions = {}
    for path in sorted((DATA / "mosaik").glob("*.jsonl")):
        for record in records(path):
            sessions.setdefault((path.stem, record["conn"]), []).append(record)
    for (stem, conn), session in sessions.items():
        to_sim = [frame(payload_of(r)) for r in session if r["dir"] == "mosaik->sim"]
        from_sim = [frame(payload_of(r)) for r in session if r["dir"] == "sim->mosaik"]
        write("mosaik_serve", f"{stem}-{conn}", b"".join(to_sim))
        write("sim_replies", f"{stem}-{conn}", b"".join(from_sim))
    # A whole session of ExampleSim, the simulator the serve target runs.
    example = [
        [0, 0, ["init", ["ExampleSim-0"], {"time_resolution": 1.0, "eid_prefix": "Model_"}]],
        [0, 1, ["create", [2, "ExampleModel"], {"init_val": 3}]],
        [0, 2, ["setup_done", [], {}]],
        [0, 3, ["step", [0, {"Model_0": {"delta": {"X.y": 2}}}, 10], {}]],
        [0, 4, ["get_data", [{"Model_0": ["val", "delta"], "Model_1": ["val"]}], {}]],
        [0, 5, ["step", [1, {}, 10], {}]],
        [0, 6, ["stop", [], {}]],
    ]
    write("mosaik_serve", "example-sim", b"".join(frame(json.dumps(c).encode()) for c in example))
    # And the replies of a simulator with `val`, so that the World connects it to ExampleSim.
    replies = [
        [1, 0, {"api_version": "3.0", "type": "time-based",
                "models": {"M": {"public": True, "params": [], "attrs": ["val"]}}}],
        [1, 1, [{"eid": "m0", "type": "M"}, {"eid": "m1", "type": "M"}]],
        [1, 2, None],
        [1, 3, 1],
        [1, 4, {"m0": {"val": 1}, "m1": {"val": 2.5}}],
        [0, 0, ["get_progress", [], {}]],
        [1, 5, 2],
        [1, 6, {"m0": {"val": 3}, "m1": {"val": 4}}],
        [1, 7, None],
    ]
    write("sim_replies", "val-sim", b"".join(frame(json.dumps(r).encode()) for r in replies))


def scenario_seeds():
    paths = sorted((ROOT / "scenarios").glob("*.json")) + sorted((ROOT / "tests" / "mosaik" / "data").glob("*.json"))
    paths += sorted((DATA / "mosaik" / "scenarios").glob("*.json"))
    for path in paths:
        write("scenario_reader", path.stem, path.read_bytes())


def aiomsg_seeds():
    identity = bytes(range(16))
    msg_id = bytes(range(16, 32))
    hello = frame(b"\x01" + b"\x01" + identity)
    heartbeat = frame(b"\x02")
    data = frame(b"\x03" + b"hello")
    data_req = frame(b"\x04" + msg_id + b"please ack")
    ack = frame(b"\x05" + msg_id)
    write("aiomsg_envelope", "session", hello + data + heartbeat + data_req + ack + data)
    write("aiomsg_envelope", "no-hello", data + data)
    write("aiomsg_envelope", "bad-version", frame(b"\x01" + b"\x02" + identity) + data)
    write("aiomsg_envelope", "unknown-type", hello + frame(b"\x7f" + b"later") + data)


if __name__ == "__main__":
    aiomas_seeds()
    rpc_seeds()
    mosaik_seeds()
    scenario_seeds()
    aiomsg_seeds()
