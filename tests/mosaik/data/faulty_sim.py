"""A mosaik simulator that misbehaves on purpose, for the orchestrator's fault matrix.

    faulty_sim.py HOST:PORT FAULT PID_FILE

It writes its process id to PID_FILE, connects back and behaves as a time-based simulator with
one entity of model `Node` (attribute `val`), until the fault it was given:

    crash             exits with status 3 when asked to step at time 3
    step_string       answers step 3 with a string instead of the next time
    get_data_list     answers the get_data after step 3 with a list instead of an object
    create_short      answers create with one entity fewer than asked for
    broken_frame      answers step 3 with a frame that is no JSON
    huge_frame        answers step 3 with a header announcing 4,000,000,000 bytes
    close_mid_frame   answers step 3 with half a frame, then closes its connection
    never_connect     never connects (and never exits by itself)

Only the standard library is used, with mosaik's framing and JSON on the wire.
"""

import os
import socket
import struct
import sys
import time

from mosaik_wire import read_message, send

META = {
    "api_version": "3.0",
    "type": "time-based",
    "models": {"Node": {"public": True, "params": [], "attrs": ["val"]}},
    "extra_methods": [],
}


def main():
    address, fault, pid_file = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(pid_file, "w") as f:
        f.write("%d\n" % os.getpid())
    if fault == "never_connect":
        while True:
            time.sleep(3600)
    host, port = address.rsplit(":", 1)
    sock = socket.create_connection((host, int(port)))
    entities = []
    now = 0
    while True:
        message = read_message(sock)
        if message is None:
            break
        message_type, message_id, content = message
        if message_type != 0:
            continue
        method, args, kwargs = content
        if method == "init":
            send(sock, [1, message_id, META])
        elif method == "create":
            num = args[0] - (1 if fault == "create_short" else 0)
            created = [{"eid": "n%d" % (len(entities) + i), "type": args[1]} for i in range(num)]
            entities += [c["eid"] for c in created]
            send(sock, [1, message_id, created])
        elif method == "setup_done":
            send(sock, [1, message_id, None])
        elif method == "step":
            now = args[0]
            if now == 3 and fault == "crash":
                os._exit(3)
            if now == 3 and fault == "step_string":
                send(sock, [1, message_id, "soon"])
            elif now == 3 and fault == "broken_frame":
                sock.sendall(struct.pack("!L", 9) + b"{not json")
            elif now == 3 and fault == "huge_frame":
                sock.sendall(struct.pack("!L", 4000000000) + b"[1, ")
            elif now == 3 and fault == "close_mid_frame":
                sock.sendall(struct.pack("!L", 100) + b"[1, " + str(message_id).encode())
                sock.close()
                return
            else:
                send(sock, [1, message_id, now + 1])
        elif method == "get_data":
            if now == 3 and fault == "get_data_list":
                send(sock, [1, message_id, []])
            else:
                outputs = args[0]
                send(sock, [1, message_id, {eid: {"val": now} for eid in outputs}])
        elif method == "stop":
            break
        else:
            send(sock, [2, message_id, "AttributeError: no method %s" % method])
    sock.close()


if __name__ == "__main__":
    main()
