"""Distances on the Earth, bounding boxes, grid cells and postcode districts."""

from __future__ import annotations

import math
import re

import numpy as np

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
KM_PER_DEGREE_LATITUDE = math.pi * EARTH_RADIUS_KM / 180
# A grid cell size (degrees) for snap_to_grid. Search no longer places confidential locations on this grid (queries
# could recover the cell's centre, about a kilometre from the place): they count at the public centre of their
# area instead (directory/search_index._area_position).
CONFIDENTIAL_GRID_DEGREES = 0.01
# A full postcode in the British form, compacted (lower case, no spaces): the district ("fh3"), then the sector
# digit and unit letters ("3tq"). "FH3 3TQ", "fh33tq" and " Fh3  3tq " are all "fh33tq".
_FULL_POSTCODE = re.compile(r"([a-z]{1,2}[0-9][a-z0-9]?)([0-9][a-z]{2})")


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def haversine_km_many(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Great-circle distances in kilometres from one point to many (NaN positions give NaN)."""
    phi1 = math.radians(lat)
    phi2 = np.radians(lats)
    dphi = phi2 - phi1
    dlambda = np.radians(lons - lon)
    a = np.sin(dphi / 2) ** 2 + math.cos(phi1) * np.cos(phi2) * np.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def unit_vectors(lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Positions as unit vectors on the sphere, one row (x, y, z) per position (NaN rows for NaN positions).

    The great-circle distance between two positions is EARTH_RADIUS_KM * arccos(u . v), so "within r km" is
    `u . v >= min_dot(r)` and sorting by distance is sorting by the dot product, descending: one matrix product
    instead of the haversine's dozen array operations."""
    phi, lam = np.radians(lats), np.radians(lons)
    cos_phi = np.cos(phi)
    return np.stack([cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)], axis=1)


def unit_vector(lat: float, lon: float) -> np.ndarray:
    phi, lam = math.radians(lat), math.radians(lon)
    return np.array([math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)])


def min_dot(radius_km: float) -> float:
    """The smallest dot product of two unit vectors at most `radius_km` apart (see unit_vectors)."""
    return math.cos(min(math.pi, radius_km / EARTH_RADIUS_KM))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float | None]:
    """(lowest latitude, highest latitude, longitude half-width in degrees or None when the box reaches a pole)
    of a box that contains every point within `radius_km` of (lat, lon)."""
    dlat = radius_km / KM_PER_DEGREE_LATITUDE * 1.0001
    low, high = lat - dlat, lat + dlat
    if low <= -90 or high >= 90:
        return max(low, -90.0), min(high, 90.0), None
    widest = max(abs(low), abs(high))
    dlon = dlat / math.cos(math.radians(widest))
    return low, high, (None if dlon >= 180 else dlon)


def longitude_gap(lons: np.ndarray, lon: float) -> np.ndarray:
    """Absolute difference in longitude, across the antimeridian where that is shorter."""
    gap = np.abs(lons - lon)
    return np.minimum(gap, 360.0 - gap)


def snap_to_grid(lat: float, lon: float, step: float = CONFIDENTIAL_GRID_DEGREES) -> tuple[float, float]:
    """The centre of the grid cell a position lies in."""
    return (math.floor(lat / step) + 0.5) * step, (math.floor(lon / step) + 0.5) * step


def postcode_district(key: str) -> str | None:
    """The postcode district of a full postcode given as a compact key ("fh33tq" -> "fh3"), or None when the key
    is not a full postcode. A full postcode the gazetteer does not list is looked up as its district, so every
    unlisted postcode of a district gives the same answer, whatever lies at it (see directory/search.py)."""
    match = _FULL_POSTCODE.fullmatch(key)
    return match.group(1) if match else None
