"""The exceptions of a mosaik scenario, as mosaik 3.3 names them (mosaik.exceptions)."""


class ScenarioError(Exception):
    """A mistake in the scenario: an unknown simulator or attribute, a bad connection, a cycle."""


class SimulationError(Exception):
    """A simulator failed or broke the protocol while the simulation ran.

    As in mosaik, ``SimulationError(msg, exc)`` reads ``"<exc without a final '.'>: <msg>"``.
    """

    def __init__(self, msg, exc=None):
        if exc is not None:
            text = str(exc)
            if text.endswith("."):
                text = text[:-1]
            msg = f"{text}: {msg}"
        super().__init__(msg)
