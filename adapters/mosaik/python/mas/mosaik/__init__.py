"""mosaik 3.3's scenario API on libmas' C++ orchestrator.

Write ``import mas.mosaik as mosaik``, or run an unchanged mosaik script with
``python3 -m mas.mosaik script.py``, which makes ``import mosaik`` resolve to this package.
"""

from .. import __version__
from . import util
from .exceptions import ScenarioError, SimulationError
from .scenario import Entity, ModelFactory, ModelMock, SimConfig, World

__all__ = ["World", "SimConfig", "Entity", "ModelFactory", "ModelMock", "ScenarioError", "SimulationError", "util",
           "__version__"]
