"""mosaik 3.3's scenario API (mosaik.scenario) on libmas' C++ orchestrator.

A script builds the scenario as under mosaik: ``World(sim_config)``, ``start`` simulators, create
entities through the model factories, ``connect`` them, ``run``. The checks a script meets while
building (unknown models and params, connection problems) are made here, where mosaik makes them
and with mosaik's messages; the simulators are started, initialised, stepped and stopped by the
C++ World. In-process Python simulators (``"python": "module:Class"``) are objects of this
process that the scheduler calls directly.
"""

import contextlib
import importlib
import itertools
import logging
import platform
import sys
import warnings
from collections import defaultdict

from .. import __version__
from .. import _mas
from .exceptions import ScenarioError, SimulationError  # noqa: F401 (re-exported as in mosaik)
from .proxies import MosaikRemote

SimConfig = dict  # mosaik's TypedDict of {sim_name: {"python" | "cmd" | "connect" | "cpp": ...}}

MOSAIK_METHODS = {"init", "create", "setup_done", "step", "get_data", "finalize", "stop"}

base_config = {"addr": ("127.0.0.1", None), "start_timeout": 10, "stop_timeout": 10}

# The keys of a sim_config entry the C++ starter reads; mosaik's others are handled here.
_STARTER_KEYS = ("cpp", "cmd", "connect", "cwd", "env", "tls")

logger = logging.getLogger("mas.mosaik")
if not logger.handlers:
    # mosaik's log lines ("Starting simulation." ...) go to stderr by default, as loguru's do.
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(asctime)s | %(levelname)-8s | %(name)s - %(message)s"))
    logger.addHandler(_handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def _print_greetings():
    print(
        f"libmas {__version__}: mosaik 3.3 scenario API on the libmas orchestrator "
        f"(Python {platform.python_version()}, {platform.system()})",
        file=sys.stderr,
    )


class _AttrSet:
    """A set of attribute names, or every name except some (a model with any_inputs)."""

    __slots__ = ("complement", "names")

    def __init__(self, complement, names):
        self.complement = complement
        self.names = frozenset(names)

    def __contains__(self, name):
        return (name in self.names) != self.complement

    def __or__(self, other):
        if not self.complement and not other.complement:
            return _AttrSet(False, self.names | other.names)
        if self.complement and other.complement:
            return _AttrSet(True, self.names & other.names)
        finite, rest = (other, self) if self.complement else (self, other)
        return _AttrSet(True, rest.names - finite.names)

    def __repr__(self):
        names = ", ".join(sorted(self.names))
        return f"everything except {{{names}}}" if self.complement else f"{{{names}}}"


class SimGroup:
    """A group of simulators (``with world.group():``) that share same-time loops."""

    def __init__(self, path, parent):
        self.path = path
        self.parent = parent


class World:
    """The scenario: simulators, their entities and connections, and the run."""

    def __init__(
        self,
        sim_config,
        mosaik_config=None,
        time_resolution=1.0,
        debug=False,
        cache=True,
        max_loop_iterations=100,
        asyncio_loop=None,
        skip_greetings=False,
    ):
        if not skip_greetings:
            _print_greetings()
        self.sim_config = sim_config
        self.config = dict(base_config)
        if mosaik_config:
            self.config.update(mosaik_config)
        self.time_resolution = time_resolution
        self.max_loop_iterations = max_loop_iterations
        self.use_cache = cache
        if debug:
            logger.warning(
                "debug=True: libmas keeps no execution graph; the run's trace is what mas-run --trace writes"
            )
        del asyncio_loop  # the C++ orchestrator has its own event loop
        host = self.config["addr"][0] if self.config.get("addr") else "127.0.0.1"
        self._engine = _mas.Engine(
            time_resolution=float(time_resolution),
            max_loop_iterations=int(max_loop_iterations),
            cache=bool(cache),
            start_timeout=float(self.config["start_timeout"]),
            host=host,
            python=sys.executable or "",
        )
        self.sims = {}  # sid -> ModelFactory, in start order
        self._sim_ids = defaultdict(itertools.count)
        self._group_ids = itertools.count(1)
        self.main_group = SimGroup((), None)
        self.current_group = self.main_group
        self.until = None
        self._shut_down = False

    # ---- simulators and entities ------------------------------------------------------------

    def start(self, sim_name, sim_id=None, **sim_params):
        """Starts simulator ``sim_name`` of the sim_config; returns its ModelFactory."""
        if sim_id is None:
            sim_id = f"{sim_name}-{next(self._sim_ids[sim_name])}"
        if sim_id in self.sims:
            raise ScenarioError(
                f"A simulator with sim_id '{sim_id}' has already been started. Choose a different sim_id."
            )
        logger.info('Starting "%s" as "%s" ...', sim_name, sim_id)
        try:
            config = self.sim_config[sim_name]
        except KeyError:
            raise ScenarioError(f'Simulator "{sim_name}" could not be started: Not found in sim_config') from None
        group = list(self.current_group.path)
        if "python" in config:
            sim = _instantiate(sim_name, config["python"])
            sim.mosaik = MosaikRemote(self, sim_id)
            meta = self._engine.add_python(sim_id, sim, dict(sim_params), group)
        elif any(key in config for key in ("cpp", "cmd", "connect")):
            entry = {key: config[key] for key in _STARTER_KEYS if key in config}
            meta = self._engine.start(sim_id, sim_name, entry, dict(sim_params), group)
        else:
            raise ScenarioError(f'Simulator "{sim_name}" could not be started: Invalid configuration')
        wanted = config.get("api_version")
        if wanted is not None:
            reported = str(meta.get("api_version", ""))
            if _major_minor(reported) != _major_minor(str(wanted)):
                raise ScenarioError(
                    f"The explicit version that you specified for simulator {sim_id} in your SimConfig "
                    f"(namely {wanted}) does not match the version that this simulator reports "
                    f"(namely {reported})."
                )
        factory = ModelFactory(self, self.current_group, sim_id, meta)
        self.sims[sim_id] = factory
        return factory

    @contextlib.contextmanager
    def group(self):
        """Simulators started inside the ``with`` block form a group (for weak connections)."""
        parent = self.current_group
        self.current_group = SimGroup(parent.path + (next(self._group_ids),), parent)
        yield self.current_group
        self.current_group = parent

    def connect(self, src, dest, *attr_pairs, async_requests=False, time_shifted=False, initial_data={}, weak=False):
        """Connects ``src``'s outputs to ``dest``'s inputs: pairs ``(src_attr, dest_attr)`` or a
        name for both. ``time_shifted`` (True or a number of steps) delays the data, ``weak``
        (in a group) makes it a same-time sub-step; both need ``initial_data`` ``{src_attr:
        value}`` for a non-trigger destination attribute."""
        pairs = set()
        for pair in attr_pairs:
            pairs.add((pair, pair) if isinstance(pair, str) else tuple(pair))
        errors = []
        for src_attr, dest_attr in pairs:
            problems = _connection_problems(src, dest, src_attr, dest_attr, time_shifted, weak, initial_data)
            if problems:
                errors.append(
                    f"The are problems connecting {src.full_id}.{src_attr} to {dest.full_id}.{dest_attr}:"
                    + "".join(f"\n- {p}" for p in problems)
                )
        if async_requests:
            warnings.warn(
                "Connections with async_requests are deprecated. They and the set_data function will be removed "
                "in a future release. Use time_shifted and weak connections instead.",
                DeprecationWarning,
                stacklevel=2,
            )
        if errors:
            raise ScenarioError(
                "While connecting entities, the following errors occurred:" + "".join(f"\n - {e}" for e in errors)
            )
        if weak:
            src_group = self.sims[src.sid]._group.path
            dest_group = self.sims[dest.sid]._group.path
            if not src_group or not dest_group or src_group[0] != dest_group[0]:
                raise ScenarioError(
                    "Weak connections may only be used in groups. This is new in mosaik 3.3. For more "
                    "information, see https://mosaik.readthedocs.io/en/latest/scenario-definition.html#weak-connections."
                )
        self._engine.connect(
            (src.sid, src.eid, src.type),
            (dest.sid, dest.eid, dest.type),
            sorted(pairs),
            int(time_shifted),
            dict(initial_data),
            bool(weak),
            bool(async_requests),
        )

    def set_initial_event(self, sid, time=0):
        """Makes ``time`` the first step of simulator ``sid`` (event-based ones have none)."""
        self._engine.set_initial_event(sid, int(time))

    # ---- the run ---------------------------------------------------------------------------

    def run(self, until, rt_factor=None, rt_strict=False, print_progress=True, lazy_stepping=True):
        """Runs every simulator until ``until`` (exclusive), then stops them all."""
        if self.until is not None:
            raise RuntimeError("Simulation has already been run and can only be run once for a World instance.")
        self.until = until
        logger.info("Starting simulation.")
        if rt_factor is not None and rt_factor <= 0:
            raise ValueError(f'"rt_factor" is {rt_factor} but must be > 0"')
        try:
            self._engine.run(
                int(until),
                None if rt_factor is None else float(rt_factor),
                bool(rt_strict),
                bool(lazy_stepping),
                bool(print_progress),
            )
        except KeyboardInterrupt:
            logger.info("Simulation canceled. Terminating ...")
            raise
        finally:
            self._shut_down = True
        logger.info("Simulation finished successfully.")

    def shutdown(self):
        """Stops every simulator (run() does so itself). Calling it again does nothing."""
        if self._shut_down:
            return
        self._shut_down = True
        self._engine.shutdown()

    @property
    def sim_progress(self):
        """The run's progress in percent."""
        return self._engine.progress()


def _major_minor(version):
    return tuple(version.split(".")[:2])


def _instantiate(sim_name, spec):
    prefix = f'Simulator "{sim_name}" could not be started:'
    try:
        module_name, class_name = spec.split(":")
    except ValueError as e:
        raise ScenarioError(f'{prefix} Malformed Python class name: Expected "module:Class" --> {e}') from None
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        raise ScenarioError(f"{prefix} Could not import module: {e} --> {e}") from None
    except ImportError as e:
        raise ScenarioError(f"{prefix} Error importing the requested class: {e} --> {e}") from None
    try:
        cls = getattr(module, class_name)
    except AttributeError as e:
        raise ScenarioError(f"{prefix} Class not found in module --> {e}") from None
    return cls()


def _connection_problems(src, dest, src_attr, dest_attr, time_shifted, weak, initial_data):
    problems = []
    src_model = src.model_mock
    dest_model = dest.model_mock
    if src_attr not in src_model.output_attrs:
        problems.append("the source attribute does not exist")
    if dest_attr not in dest_model.input_attrs:
        problems.append("the destination attribute does not exist")
    needs_initial = bool(time_shifted or weak) and dest_attr in dest_model.measurement_inputs
    if needs_initial and src_attr not in initial_data:
        problems.append("weak or time-shifted connection into non-trigger attribute requires initial data")
    elif not needs_initial and src_attr in initial_data:
        logger.warning(
            "Gave initial data for connection from %s.%s to %s.%s where it is not needed",
            src.full_id, src_attr, dest.full_id, dest_attr,
        )
    if not problems and src_attr in src_model.event_outputs and dest_attr in dest_model.measurement_inputs:
        logger.warning(
            "A connection between the non-persistent attribute %s of %s and the non-trigger attribute %s of %s "
            "is not recommended. This might cause problems in the simulation! See also: "
            "https://mosaik.readthedocs.io/en/latest/scenario-definition.html#connecting-entities",
            src_attr, src.sid, dest_attr, dest.sid,
        )
    return problems


class ModelFactory:
    """A started simulator: its public models as attributes (``factory.Model(...)``,
    ``factory.Model.create(n, ...)``), and its extra methods as functions."""

    def __init__(self, world, group, sid, meta):
        self.meta = meta
        self.type = meta.get("type")
        self._world = world
        self._group = group
        self._sid = sid
        self.models = {}
        for name, description in meta.get("models", {}).items():
            if name in MOSAIK_METHODS:
                raise ScenarioError(
                    f"Simulator {sid} uses an illegal model name: {name}. This name is already the name of a "
                    "mosaik API method."
                )
            mock = ModelMock(world, self, name, description)
            self.models[name] = mock
            if description.get("public", True):
                setattr(self, name, mock)
        for name in meta.get("extra_methods", []):
            if name in MOSAIK_METHODS:
                raise ScenarioError(
                    f'Simulator {sid} uses an illegal name for an extra method: "{name}". This is already the name '
                    "of a mosaik API method."
                )
            if name in self.models:
                raise ScenarioError(
                    f'Simulator {sid} uses an illegal name for an extra method: "{name}". This is already the name '
                    "of a model of this simulator."
                )
            setattr(self, name, self._extra_method(name))

    def _extra_method(self, name):
        engine = self._world._engine
        sid = self._sid

        def call(*args, **kwargs):
            return engine.call_extra(sid, name, list(args), kwargs)

        call.__name__ = name
        return call

    def __getattr__(self, name):
        models = self.__dict__.get("models", {})
        if name in models:
            raise AttributeError(f'Model "{name}" is not public.')
        raise AttributeError(f'Model factory for "{self.__dict__.get("_sid")}" has no model and no function "{name}".')


class ModelMock:
    """One model of a simulator: call it to create one entity, ``create(num, ...)`` for several."""

    def __init__(self, world, factory, name, description):
        self._world = world
        self._factory = factory
        self._sid = factory._sid
        self.name = name
        self.params = frozenset(description.get("params", []))
        try:
            attrs = _mas.model_attrs(name, description, factory.type)
        except ValueError as e:
            raise ValueError(f"while parsing the model description of model {name}: {e}") from None
        self.measurement_inputs = _AttrSet(*attrs["non_trigger"])
        self.event_inputs = _AttrSet(*attrs["trigger"])
        self.measurement_outputs = _AttrSet(*attrs["persistent"])
        self.event_outputs = _AttrSet(*attrs["non_persistent"])
        self.input_attrs = self.measurement_inputs | self.event_inputs
        self.output_attrs = self.measurement_outputs | self.event_outputs

    def __call__(self, **model_params):
        return self.create(1, **model_params)[0]

    def create(self, num, **model_params):
        """Creates ``num`` entities of this model; returns them as Entity objects."""
        unknown = [key for key in model_params if key not in self.params]
        if unknown:
            raise TypeError("create() got unexpected keyword arguments: '%s'" % "', '".join(unknown))
        created = self._world._engine.create(self._sid, int(num), self.name, model_params)
        return [self._entity(eid, model, children) for eid, model, children in created]

    def _entity(self, eid, model, children):
        mock = self._factory.models.get(model, self)
        return Entity(self._sid, eid, mock.name, mock, [self._entity(*c) for c in children])


class Entity:
    """One entity of a simulator, as ``create`` returned it."""

    __slots__ = ("sid", "eid", "sim_name", "model_mock", "children", "extra_info")

    def __init__(self, sid, eid, sim_name, model_mock, children=None, extra_info=None):
        self.sid = sid
        self.eid = eid
        self.sim_name = sim_name  # mosaik fills it with the model's name
        self.model_mock = model_mock
        self.children = children if children is not None else []
        self.extra_info = extra_info

    @property
    def type(self):
        return self.model_mock.name

    @property
    def model(self):
        return self.model_mock.name

    @property
    def full_id(self):
        return f"{self.sid}.{self.eid}"

    def triggered_by(self, attr):
        return attr in self.model_mock.event_inputs

    def is_persistent(self, attr):
        return attr in self.model_mock.measurement_outputs

    def __str__(self):
        return f"{self.__class__.__name__}(model={self.type!r}, eid={self.eid!r}, sid={self.sid!r})"

    def __repr__(self):
        return (
            f"{self.__class__.__name__}(model_mock={self.model_mock!r}, eid={self.eid!r}, sid={self.sid!r}, "
            f"children={self.children!r})"
        )


