"""sitroom: a sourced, queryable picture of a developing situation, from news articles."""

__version__ = "0.1.0"
