"""libmas from Python: ``mas.mosaik`` runs mosaik scenario scripts on libmas' C++ orchestrator."""

__version__ = "0.1.0"
