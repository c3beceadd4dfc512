"""Distances and the boxes that bound them."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from carebridge.kit import geo


def test_known_distances() -> None:
    assert abs(geo.haversine_km(51.5072, -0.1276, 48.8566, 2.3522) - 343.5) < 1.0  # London - Paris
    assert geo.haversine_km(10, 20, 10, 20) == 0.0
    assert abs(geo.haversine_km(0, 179.5, 0, -179.5) - 111.2) < 0.2  # across the antimeridian
    many = geo.haversine_km_many(51.5072, -0.1276, np.array([48.8566, np.nan]), np.array([2.3522, 0.0]))
    assert abs(many[0] - 343.5) < 1.0 and math.isnan(many[1])


def test_snap_to_grid_is_the_cell_centre() -> None:
    assert geo.snap_to_grid(54.2147, 2.1261) == (54.215, 2.125)
    lat, lon = geo.snap_to_grid(-33.8688, 151.2093)
    assert abs(lat - -33.865) < 1e-9 and abs(lon - 151.205) < 1e-9


@given(
    st.floats(-85, 85), st.floats(-180, 180), st.floats(0.1, 200),
    st.floats(0, 1), st.floats(0, 2 * math.pi),
)
def test_every_point_within_the_radius_is_inside_the_box(lat: float, lon: float, radius: float, fraction: float, bearing: float) -> None:
    # A point at distance fraction*radius in direction `bearing` (spherical destination formula).
    distance = radius * fraction / geo.EARTH_RADIUS_KM
    phi, lam = math.radians(lat), math.radians(lon)
    phi2 = math.asin(math.sin(phi) * math.cos(distance) + math.cos(phi) * math.sin(distance) * math.cos(bearing))
    lam2 = lam + math.atan2(math.sin(bearing) * math.sin(distance) * math.cos(phi), math.cos(distance) - math.sin(phi) * math.sin(phi2))
    lat2, lon2 = math.degrees(phi2), (math.degrees(lam2) + 540) % 360 - 180
    low, high, half_width = geo.bounding_box(lat, lon, radius)
    assert low <= lat2 <= high
    if half_width is not None:
        assert geo.longitude_gap(np.array([lon2]), lon)[0] <= half_width + 1e-9
