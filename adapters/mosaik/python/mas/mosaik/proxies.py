"""What an in-process simulator finds in ``self.mosaik``: its requests back to mosaik.

As under mosaik, a simulator method that wants an answer is a generator and yields the request,
``progress = yield self.mosaik.get_progress()``; the orchestrator answers it and sends the result
back into the generator.
"""


class Request:
    """One request of a simulator, yielded by its generator method."""

    __slots__ = ("method", "args", "kwargs")
    _mas_request = True  # what the orchestrator recognises a request by

    def __init__(self, method, args=(), kwargs=None):
        self.method = method
        self.args = list(args)
        self.kwargs = dict(kwargs or {})

    def __repr__(self):
        return f"<mosaik request {self.method}{tuple(self.args)!r}>"


class MosaikRemote:
    """mosaik's MosaikRemote for an in-process simulator ``sid`` of ``world``."""

    def __init__(self, world, sid):
        self.world = world
        self.sid = sid

    def get_progress(self):
        """The simulation's progress in percent."""
        return Request("get_progress")

    def get_related_entities(self, entities=None):
        """The entity graph (no argument), one entity's neighbours (a full id) or several's."""
        return Request("get_related_entities", [] if entities is None else [entities])

    def get_data(self, attrs):
        """``{full_id: [attr, ...]}`` -> ``{full_id: {attr: value}}`` of connected simulators."""
        return Request("get_data", [attrs])

    def set_data(self, data):
        """``{src_full_id: {dest_full_id: {attr: value}}}``: inputs of the destinations' next steps."""
        return Request("set_data", [data])

    def set_event(self, event_time):
        """A step of this simulator at ``event_time`` (real-time runs)."""
        return Request("set_event", [event_time])
