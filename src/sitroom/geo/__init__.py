"""Offline geography: the gazetteer (``gazetteer.load()``) and its name keys."""

from .gazetteer import Entry, Gazetteer, haversine_km, load, loose_key, norm_key, skeleton_key

__all__ = ["Entry", "Gazetteer", "haversine_km", "load", "loose_key", "norm_key", "skeleton_key"]
