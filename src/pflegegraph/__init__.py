"""pflegegraph: a knowledge graph and query service for municipal elderly-care planning."""

__version__ = "0.1.0"
