"""search_services on a small directory whose right answers are known (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from search_directory import DirectoryBuilder, bump_revision, weekly
from sqlalchemy.orm import Session

from carebridge.directory import search
from carebridge.directory.search_index import search_index_for_session
from carebridge.errors import InvalidInput
from carebridge.kit import geo

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a Monday, noon in London
CENTRE = (54.2001, 2.1003)  # the postcode FH1 1AA
WEEKDAYS = "MO,TU,WE,TH,FR"
SECRET_STREET = "7 Secret Lane"
SECRET_POSTCODE = "FH2 9ZZ"
SECRET_POSITION = (54.2147, 2.1261)
# The public centre of the Safe House's published area (its city, Fairhaven): where it counts as being for search.
AREA_CENTRE = (54.2150, 2.1250)


@pytest.fixture
def directory(session: Session) -> DirectoryBuilder:
    build = DirectoryBuilder(session)
    build.place("FH1 1AA", "postcode", *CENTRE, area="Town Centre")
    build.place("Town Centre", "neighbourhood", 54.2000, 2.1000)
    build.place("Northgate", "neighbourhood", 54.2270, 2.0960)
    build.place("Fairhaven", "city", *AREA_CENTRE)
    build.service(
        "Harbour Health Centre", 54.2000, 2.1000, languages=("en", "ar"), categories=("primary-care",), free=True,
        no_status_check=True, schedules=(weekly(WEEKDAYS, "09:00", "17:00"),), last_verified=date(2026, 9, 1),
        description="Family doctors for everyone who lives in Fairhaven.",
    )
    build.service(
        "Northgate Dental", 54.2270, 2.0960, languages=("en",), interpreters=("fa",), categories=("dental",),
        schedules=(weekly("SA", "10:00", "14:00"),),
    )
    build.service(
        "Night Shelter", 54.1935, 2.1230, languages=("en", "uk"), categories=("housing",), free=True,
        no_documents=True, schedules=(weekly("FR", "20:00", "08:00"),), last_verified="2026-10-01",
    )
    build.service(
        "Safe House", *SECRET_POSITION, categories=("housing",), free=True, no_status_check=True, confidential=True,
        street=SECRET_STREET, postcode=SECRET_POSTCODE, schedules=(weekly("MO,TU,WE,TH,FR,SA,SU", "00:00", "00:00"),),
        phone="01632 960999",
    )
    build.service(
        "New York Legal Clinic", 40.7128, -74.0060, languages=("en", "es"), categories=("legal-advice",),
        schedules=(weekly(WEEKDAYS, "09:00", "17:00", "America/New_York"),), city="New York",
    )
    build.service(
        "Helpline", languages=("ar",), categories=("mental-health",), location_type="virtual",
        schedules=(weekly("MO,TU,WE,TH,FR,SA,SU", "08:00", "20:00", None),),
    )
    build.service("Old Clinic", 54.2000, 2.1000, categories=("primary-care",), status="inactive")
    build.service(
        "Women's Clinic", 54.2055, 2.0880, categories=("sexual-reproductive-health",), minimum_age=16,
        eligible_gender="female", last_verified="2024-01-01",
    )
    build.service(
        "عيادة الأسرة", 54.2001, 2.1003, languages=("ar",), categories=("primary-care",), free=True,
        description="رعاية صحية مجانية للعائلات", content_language="ar",
        schedules=(weekly("MO,TU,WE,TH", "10:00", "16:00"),), organization="جمعية الأمل",
    )
    build.done()
    return build


def names(page: search.SearchPage) -> list[str]:
    return [result["name"] for result in page.results]


def find(session: Session, **params: object) -> search.SearchPage:
    return search.search_services(session, now=NOW, **params)


ALL_ACTIVE = [
    "Harbour Health Centre", "Helpline", "New York Legal Clinic", "Night Shelter", "Northgate Dental", "Safe House",
    "Women's Clinic", "عيادة الأسرة",
]


def test_without_filters_every_active_service_sorted_by_name(session: Session, directory: DirectoryBuilder) -> None:
    page = find(session)
    assert page.total == 8
    assert names(page) == ALL_ACTIVE
    assert "Old Clinic" not in page.body.decode()


def test_result_has_every_field_of_the_published_shape(session: Session, directory: DirectoryBuilder) -> None:
    result = find(session, q="harbour").results[0]
    for name in (
        "service_id", "location_id", "name", "organization", "distance_km", "open_now", "next_opening", "languages",
        "interpreter_languages", "categories", "free", "no_status_check", "no_documents", "confidential_address",
        "address", "latitude", "longitude", "last_verified", "verification_stale",
    ):
        assert name in result, name
    built = directory.built["Harbour Health Centre"]
    assert result["service_id"] == built.service_id and result["location_id"] == built.location_id
    assert result["organization"] == "Test Organisation"
    assert result["languages"] == ["ar", "en"] and result["categories"] == ["primary-care"]
    assert result["free"] and result["no_status_check"] and not result["no_documents"]
    assert result["address"]["address_1"] == "1 High Street" and result["latitude"] == 54.2
    assert result["open_now"] is True and result["next_opening"] == "2026-11-23T12:00:00+00:00"
    assert result["open_until"] == "2026-11-23T17:00:00+00:00"
    assert result["last_verified"] == "2026-09-01" and result["verification_stale"] is False
    assert result["distance_km"] is None  # no point given
    assert result["phone"] == "01632 960000" and result["has_schedule"] is True


def test_radius_around_a_postcode_sorted_by_distance(session: Session, directory: DirectoryBuilder) -> None:
    page = find(session, near="fh1 1aa", radius_km=2.5)
    assert page.place is not None and page.place.name == "FH1 1AA"
    assert names(page) == ["عيادة الأسرة", "Harbour Health Centre", "Women's Clinic", "Night Shelter", "Safe House"]
    distances = [result["distance_km"] for result in page.results]
    assert distances == sorted(distances)
    expected_shelter = geo.haversine_km(*CENTRE, 54.1935, 2.1230)
    assert distances[3] == round(expected_shelter, 1)
    # The confidential one: whole kilometres from the public centre of its area, never from its own position.
    assert distances[4] == round(geo.haversine_km(*CENTRE, *AREA_CENTRE))
    assert page.model_dump()["place"] == {"name": "FH1 1AA", "kind": "postcode"}
    assert "Northgate Dental" in names(find(session, near="FH1 1AA", radius_km=4))


def test_point_without_radius_sorts_everything_by_distance_without_position_last(
    session: Session, directory: DirectoryBuilder
) -> None:
    page = find(session, lat=54.2270, lon=2.0960, per_page=100)
    assert page.total == 8
    assert names(page)[0] == "Northgate Dental" and names(page)[-2:] == ["New York Legal Clinic", "Helpline"]
    assert page.results[-1]["distance_km"] is None
    assert page.results[-2]["distance_km"] > 5000


def test_confidential_service_without_a_position_sorts_with_the_others_without_one(
    session: Session, directory: DirectoryBuilder
) -> None:
    directory.service("Hidden Helpline", languages=("ar",), categories=("mental-health",), location_type="virtual", confidential=True)
    directory.done()
    page = find(session, lat=54.2270, lon=2.0960, per_page=100)
    assert names(page)[-3:] == ["New York Legal Clinic", "Helpline", "Hidden Helpline"]
    assert [result["distance_km"] for result in page.results[-2:]] == [None, None]


def test_language_spoken_or_interpreted(session: Session, directory: DirectoryBuilder) -> None:
    assert names(find(session, language="ar")) == ["Harbour Health Centre", "Helpline", "عيادة الأسرة"]
    assert names(find(session, language="ara")) == ["Harbour Health Centre", "Helpline", "عيادة الأسرة"]
    assert names(find(session, language="fa")) == ["Northgate Dental"]
    assert names(find(session, language="per")) == ["Northgate Dental"]  # ISO 639-2/B for Persian
    assert names(find(session, language="fa", interpreter=True)) == ["Northgate Dental"]
    assert names(find(session, language="ar", interpreter=True)) == []
    assert names(find(session, interpreter=True)) == ["Northgate Dental"]
    assert find(session, language="prs").total == 0  # Dari: a real code that no service offers


def test_categories(session: Session, directory: DirectoryBuilder) -> None:
    assert names(find(session, category="housing")) == ["Night Shelter", "Safe House"]
    assert names(find(session, category="housing,dental")) == ["Night Shelter", "Northgate Dental", "Safe House"]
    assert names(find(session, category=["dental", "housing"])) == ["Night Shelter", "Northgate Dental", "Safe House"]
    assert find(session, category="food").total == 0


def test_access_facts(session: Session, directory: DirectoryBuilder) -> None:
    assert names(find(session, free=True)) == ["Harbour Health Centre", "Night Shelter", "Safe House", "عيادة الأسرة"]
    assert names(find(session, no_status_check=True)) == ["Harbour Health Centre", "Safe House"]
    assert names(find(session, no_documents=True)) == ["Night Shelter"]
    assert find(session, free=False).total == 8  # false means no filter


def test_age_and_gender(session: Session, directory: DirectoryBuilder) -> None:
    assert "Women's Clinic" not in names(find(session, age=10, per_page=100))
    assert "Women's Clinic" in names(find(session, age=16, per_page=100))
    assert "Women's Clinic" not in names(find(session, gender="male", per_page=100))
    assert "Women's Clinic" not in names(find(session, gender="other", per_page=100))
    assert "Women's Clinic" in names(find(session, gender="female", per_page=100))
    assert find(session, gender="female").total == 8


def test_open_now_monday_noon_in_london(session: Session, directory: DirectoryBuilder) -> None:
    page = find(session, open_now=True)
    assert names(page) == ["Harbour Health Centre", "Helpline", "Safe House", "عيادة الأسرة"]
    assert all(result["open_now"] for result in page.results)
    closed = {result["name"]: result for result in find(session, per_page=100).results}
    assert closed["Northgate Dental"]["open_now"] is False
    assert closed["Northgate Dental"]["next_opening"] == "2026-11-28T10:00:00+00:00"
    assert closed["New York Legal Clinic"]["next_opening"] == "2026-11-23T09:00:00-05:00"  # 14:00 UTC
    assert closed["Women's Clinic"]["open_now"] is None and closed["Women's Clinic"]["has_schedule"] is False


def test_open_at_across_zones_and_overnight(session: Session, directory: DirectoryBuilder) -> None:
    saturday_3am = find(session, open_at="2026-11-28T03:00")  # naive: the deployment's zone (London)
    assert names(saturday_3am) == ["Night Shelter", "Safe House"]
    new_york_afternoon = find(session, open_at="2026-11-23T15:00:00-05:00")  # 20:00 in London
    assert names(new_york_afternoon) == ["New York Legal Clinic", "Safe House"]
    summer = find(session, open_at=datetime(2026, 7, 6, 8, 30, tzinfo=UTC))  # 09:30 BST, 04:30 in New York
    assert names(summer) == ["Harbour Health Centre", "Helpline", "Safe House"]
    # open_at wins over open_now, and results still say whether each is open at the real present moment.
    both = find(session, open_now=True, open_at="2026-11-28T03:00")
    assert names(both) == ["Night Shelter", "Safe House"]
    assert [result["open_now"] for result in both.results] == [False, True]


def test_paging_totals(session: Session, directory: DirectoryBuilder) -> None:
    first, second, third = (find(session, per_page=3, page=number) for number in (1, 2, 3))
    assert first.total == second.total == third.total == 8
    assert names(first) + names(second) + names(third) == ALL_ACTIVE
    assert names(find(session, per_page=3, page=4)) == []
    near = [find(session, near="Town Centre", per_page=2, page=number) for number in (1, 2, 3, 4)]
    assert [name for page in near for name in names(page)] == names(find(session, near="Town Centre", per_page=100))


def test_free_text_in_any_script(session: Session, directory: DirectoryBuilder) -> None:
    assert names(find(session, q="dental")) == ["Northgate Dental"]
    assert names(find(session, q="DENT")) == ["Northgate Dental"]  # prefix, any case
    assert names(find(session, q="dental care")) == ["Northgate Dental"]  # the category's name
    assert names(find(session, q="clinic")) == ["New York Legal Clinic", "Women's Clinic"]
    assert names(find(session, q="family doctors")) == ["Harbour Health Centre"]  # the description
    assert names(find(session, q="عيادة")) == ["عيادة الأسرة"]
    assert names(find(session, q="العيادة")) == ["عيادة الأسرة"]  # with the article
    assert names(find(session, q="عِيَادَة")) == ["عيادة الأسرة"]  # with harakat
    assert names(find(session, q="مجانية")) == ["عيادة الأسرة"]
    assert names(find(session, q="الأمل")) == ["عيادة الأسرة"]  # the organisation, hamza on the alef
    assert find(session, q="dental zebra").total == 0
    assert find(session, q="!!!").total == 8  # no words: no filter


def test_filters_combined(session: Session, directory: DirectoryBuilder) -> None:
    page = find(session, near="FH1 1AA", radius_km=3, language="ar", category="primary-care", open_now=True, free=True)
    assert names(page) == ["عيادة الأسرة", "Harbour Health Centre"]
    assert names(find(session, near="FH1 1AA", radius_km=2.5, free=True, category="housing")) == ["Night Shelter", "Safe House"]
    assert names(find(session, near="Northgate", radius_km=1, free=True)) == []


def test_confidential_location_never_leaks(session: Session, directory: DirectoryBuilder) -> None:
    for params in ({}, {"q": "safe"}, {"near": "FH1 1AA", "radius_km": 5}, {"lat": 54.2147, "lon": 2.1261}, {"category": "housing"}):
        page = find(session, per_page=100, **params)
        text = page.body.decode()
        for secret in (SECRET_STREET, SECRET_POSTCODE, "54.2147", "2.1261", "Safe House building"):
            assert secret not in text, (secret, params)
        result = next(result for result in page.results if result["name"] == "Safe House")
        assert result["confidential_address"] is True
        assert result["address"] is None and result["latitude"] is None and result["longitude"] is None
        # The builder puts the phone on the location: the place's own line is withheld like its address (only
        # the service's published numbers go out), the area stays.
        assert result["phone"] is None and "01632 960999" not in text and result["area"]
        if result["distance_km"] is not None:
            assert result["distance_km"] == int(result["distance_km"])
    # Searching from the exact position says how far the centre of its area is, nothing about the place.
    standing_on_it = find(session, lat=54.2147, lon=2.1261, category="housing").results[0]
    assert standing_on_it["name"] == "Safe House"
    assert standing_on_it["distance_km"] == round(geo.haversine_km(*SECRET_POSITION, *AREA_CENTRE))
    # The street and postcode are not searchable either.
    assert find(session, q="secret").total == 0


def test_confidential_radius_compares_whole_kilometres(session: Session, directory: DirectoryBuilder) -> None:
    reported = round(geo.haversine_km(*CENTRE, *AREA_CENTRE))
    assert "Safe House" in names(find(session, near="FH1 1AA", radius_km=reported, category="housing"))
    assert "Safe House" not in names(find(session, near="FH1 1AA", radius_km=reported - 0.5, category="housing"))


def test_confidential_place_at_the_edge_of_the_radius(session: Session, directory: DirectoryBuilder) -> None:
    # 2.4 km south of its area's centre: reported as 2 km, so a 2 km radius includes it.
    cell_latitude, cell_longitude = AREA_CENTRE
    south = cell_latitude - 2.4 / geo.KM_PER_DEGREE_LATITUDE
    result = find(session, lat=south, lon=cell_longitude, radius_km=2, category="housing").results
    assert ("Safe House", 2.0) in [(r["name"], r["distance_km"]) for r in result]
    assert "Safe House" not in names(find(session, lat=south, lon=cell_longitude, radius_km=1.9, category="housing"))


def test_stale_flag(session: Session, directory: DirectoryBuilder) -> None:
    results = {result["name"]: result for result in find(session, per_page=100).results}
    assert results["Harbour Health Centre"]["verification_stale"] is False
    assert results["Women's Clinic"]["verification_stale"] is True and results["Women's Clinic"]["last_verified"] == "2024-01-01"
    assert results["Northgate Dental"]["verification_stale"] is True and results["Northgate Dental"]["last_verified"] is None
    a_year_later = search.search_services(session, now=datetime(2027, 9, 2, tzinfo=UTC), q="harbour").results[0]
    assert a_year_later["verification_stale"] is True


def test_bad_values_raise_invalid_input_naming_each_parameter(session: Session, directory: DirectoryBuilder) -> None:
    with pytest.raises(InvalidInput) as raised:
        find(session, radius_km=500, near="FH1 1AA", per_page=0, language="xx")
    assert {error.name for error in raised.value.errors} == {"radius_km", "per_page", "language"}
    with pytest.raises(InvalidInput) as raised:
        find(session, near="Atlantis")
    assert raised.value.errors[0].name == "near" and raised.value.errors[0].allowed
    with pytest.raises(InvalidInput) as raised:
        find(session, category="astrology")
    assert raised.value.errors[0].name == "category" and "housing" in raised.value.errors[0].allowed


def test_find_place_and_languages_offered(session: Session, directory: DirectoryBuilder) -> None:
    assert search.find_place(session, " fh11aa ").name == "FH1 1AA"
    assert search.find_place(session, "TOWN CENTRE").kind == "neighbourhood"
    assert search.find_place(session, "Atlantis") is None
    assert search.languages_offered(session) == ["ar", "en", "es", "fa", "uk"]


def test_index_follows_the_revision(session: Session, directory: DirectoryBuilder) -> None:
    holder = search_index_for_session(session)
    holder.check_seconds = 3600
    assert find(session, q="pantry").total == 0
    directory.service("Harbour Pantry", 54.2, 2.1, categories=("food",))
    session.commit()  # no revision change: the index is kept
    assert find(session, q="pantry").total == 0
    bump_revision(session)
    session.commit()  # this process committed a revision change: checked at once
    assert names(find(session, q="pantry")) == ["Harbour Pantry"]


def test_opening_facts_kept_between_changes_match_fresh_ones(session: Session, directory: DirectoryBuilder) -> None:
    # Each result's opening facts are kept until they next change (a next opening, or the end of the opening
    # period): across eight days, forwards and then backwards, they always equal freshly worked-out ones.
    index = search_index_for_session(session).get()
    start = NOW.timestamp()
    moments = [datetime.fromtimestamp(start + minutes * 60 + 13, UTC) for minutes in range(0, 8 * 24 * 60, 11)]
    for moment in moments + moments[::-5]:
        kept = search.search_services(session, now=moment, per_page=100).body
        saved = dict(index.opening_fragments)
        index.opening_fragments.clear()
        fresh = search.search_services(session, now=moment, per_page=100).body
        index.opening_fragments.clear()
        index.opening_fragments.update(saved)
        assert kept == fresh, moment


def test_opening_facts_kept_across_the_look_ahead_horizons(session: Session, directory: DirectoryBuilder) -> None:
    # Facts not reported yet because they lie beyond a horizon (an opening more than 62 days ahead; the end of an
    # opening more than 8 days ahead) are kept only until they come within it.
    around_the_clock = weekly("MO,TU,WE,TH,FR,SA,SU", "00:00", "00:00")
    directory.service(  # open day and night until the end of 1 December: 8 days and 12 hours after NOW
        "Winter Shelter", 54.2000, 2.1000, categories=("housing",), schedules=({**around_the_clock, "valid_to": date(2026, 12, 1)},),
    )
    directory.service(  # first opens on 25 January 2027 at 09:00: 62 days and 21 hours after NOW
        "Spring Clinic", 54.2000, 2.1000, categories=("primary-care",),
        schedules=(weekly("MO,TU,WE,TH,FR,SA,SU", "09:00", "17:00", valid_from=date(2027, 1, 25)),),
    )
    directory.done()
    index = search_index_for_session(session).get()
    start = NOW.timestamp()
    moments = [datetime.fromtimestamp(start + minutes * 60 + 7, UTC) for minutes in range(0, 26 * 60, 7)]
    seen = set()
    for moment in moments + moments[::-3]:
        kept = search.search_services(session, now=moment, per_page=100)
        saved = dict(index.opening_fragments)
        index.opening_fragments.clear()
        fresh = search.search_services(session, now=moment, per_page=100, q="winter")
        fresh_spring = search.search_services(session, now=moment, per_page=100, q="spring")
        index.opening_fragments.clear()
        index.opening_fragments.update(saved)
        by_name = {result["name"]: result for result in kept.results}
        assert by_name["Winter Shelter"] == fresh.results[0], moment
        assert by_name["Spring Clinic"] == fresh_spring.results[0], moment
        seen.add((by_name["Winter Shelter"]["open_until"], by_name["Spring Clinic"]["next_opening"]))
    # Both facts came within their horizons during those 26 hours, so both answers were seen.
    assert seen == {
        (None, None),
        ("2026-12-02T00:00:00+00:00", None),
        ("2026-12-02T00:00:00+00:00", "2027-01-25T09:00:00+00:00"),
    }


def test_radius_across_grid_rows_and_the_antimeridian(session: Session, directory: DirectoryBuilder) -> None:
    directory.service("Suva East Clinic", -17.0, 179.99, categories=("primary-care",))
    directory.service("Taveuni West Clinic", -17.0, -179.99, categories=("primary-care",))
    directory.service("Southern Clinic", -17.0449, 179.99, categories=("primary-care",))  # 5 km south: another row
    directory.done()
    # The box crosses the antimeridian: both sides are found, nearest first.
    across = find(session, lat=-17.0, lon=179.995, radius_km=3)
    assert names(across) == ["Suva East Clinic", "Taveuni West Clinic"]
    assert [result["distance_km"] for result in across.results] == [0.5, 1.6]
    # Within one side the box spans grid rows: the radius decides, not the rows.
    assert names(find(session, lat=-17.02, lon=179.99, radius_km=3)) == ["Suva East Clinic", "Southern Clinic"]
    assert names(find(session, lat=-17.02, lon=179.99, radius_km=2)) == []
    assert names(find(session, lat=-17.0449, lon=179.99, radius_km=1)) == ["Southern Clinic"]


def _sweep(session: Session) -> list[bytes]:
    """Every answer a person could get by probing around the Safe House: points on a grid over and around it,
    radii from half a kilometre up, places by name, with and without a category."""
    answers: list[bytes] = []
    probes = [(54.19 + 0.007 * row, 2.09 + 0.009 * column) for row in range(7) for column in range(7)]
    probes += [SECRET_POSITION, MOVED_POSITION, AREA_CENTRE]
    for category in ("housing", None):
        for latitude, longitude in probes:
            for radius in (None, 0.5, 1, 1.5, 2, 3, 5, 10):
                answers.append(
                    find(session, lat=latitude, lon=longitude, radius_km=radius, category=category, per_page=100).body
                )
        for near in ("FH1 1AA", "Town Centre", "Northgate", "Fairhaven"):
            for radius in (None, 1, 2, 3):
                answers.append(find(session, near=near, radius_km=radius, category=category, per_page=100).body)
    return answers


# Another position inside the same area (Fairhaven), in another ~1 km cell, ~2 km from SECRET_POSITION.
MOVED_POSITION = (54.2301, 2.1402)


def test_no_search_tells_two_positions_of_a_confidential_place_in_its_area_apart(
    session: Session, directory: DirectoryBuilder
) -> None:
    from sqlalchemy import update

    from carebridge.directory import models

    before = _sweep(session)
    assert any(b'"Safe House"' in answer and b'"distance_km":null' not in answer for answer in before)
    location_id = directory.built["Safe House"].location_id
    session.execute(
        update(models.Location).where(models.Location.id == location_id).values(
            latitude=MOVED_POSITION[0], longitude=MOVED_POSITION[1]
        )
    )
    bump_revision(session)
    session.commit()
    assert search_index_for_session(session).get().revision != 0
    after = _sweep(session)
    assert len(after) == len(before)
    for number, (first, second) in enumerate(zip(before, after, strict=True)):
        assert first == second, number


def test_a_confidential_place_whose_area_the_gazetteer_lacks_has_no_position(
    session: Session, directory: DirectoryBuilder
) -> None:
    directory.service("Hidden Refuge", 54.2001, 2.1003, categories=("housing",), confidential=True, city="Elsewhere",
        postcode="FH9 9ZZ",
    )
    directory.done()
    everything = {result["name"]: result for result in find(session, near="FH1 1AA", per_page=100).results}
    assert everything["Hidden Refuge"]["distance_km"] is None and everything["Hidden Refuge"]["area"] == "Elsewhere"
    assert everything["Safe House"]["distance_km"] is not None
    for radius in (0.5, 1, 5, 20):
        assert "Hidden Refuge" not in names(find(session, near="FH1 1AA", radius_km=radius, per_page=100))
