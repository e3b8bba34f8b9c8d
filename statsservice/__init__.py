"""Stats Service: collects, aggregates and shares MONARC risk-analysis statistics."""

__version__ = "1.0.0.dev0"
