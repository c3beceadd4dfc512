"""The search's immigration-status-check states and the urgent-care order, on small directories built row by row
(SQLite and PostgreSQL). The demo city's versions of these are in test_emergency_first.py."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from search_directory import DirectoryBuilder, weekly
from sqlalchemy.orm import Session

from carebridge.directory import search, taxonomy

TUESDAY_NIGHT = datetime(2026, 11, 24, 23, 30, tzinfo=ZoneInfo("Europe/London"))
CENTRE = (54.2000, 2.1000)


def _names(page: search.SearchPage) -> list[str]:
    return [result["name"] for result in page.results]


def test_a_record_that_says_both_is_read_as_checking_and_is_left_out_of_the_no_check_filter(session: Session) -> None:
    build = DirectoryBuilder(session)
    both = build.service("Says both", *CENTRE, no_status_check=True)
    build._attribute("service", both.service_id, taxonomy.STATUS_CHECK, "Asks for a passport (provider's policy).")
    build.service("Does not check", *CENTRE, no_status_check=True)
    build.service("Says nothing", *CENTRE)
    build.done()
    found = search.search_services(session, now=TUESDAY_NIGHT)
    assert {r["name"]: r["status_check"] for r in found.results} == {
        "Says both": "checks", "Does not check": "no-check", "Says nothing": "unknown",
    }
    assert {r["name"]: r["no_status_check"] for r in found.results}["Says both"] is False
    assert _names(search.search_services(session, no_status_check=True, now=TUESDAY_NIGHT)) == ["Does not check"]


def test_urgent_care_puts_open_places_first_then_nearest_and_other_categories_stay_nearest_first(session: Session) -> None:
    build = DirectoryBuilder(session)
    build.place("FH1 1AA", "postcode", *CENTRE, area="Town Centre")
    every_day = "MO,TU,WE,TH,FR,SA,SU"
    build.service("Near, closed at night", 54.2010, 2.1000, categories=("emergency", "dental"),
                  schedules=(weekly(every_day, "08:00", "20:00"),))
    build.service("Far, open all night", 54.2600, 2.1000, categories=("emergency", "dental"),
                  schedules=(weekly(every_day, "00:00", "23:59"),))
    build.service("Middle, open all night", 54.2300, 2.1000, categories=("emergency", "dental"),
                  schedules=(weekly(every_day, "00:00", "23:59"),))
    build.service("No hours", 54.2005, 2.1000, categories=("emergency", "dental"))
    build.done()
    urgent = search.search_services(session, category="emergency", near="FH1 1AA", now=TUESDAY_NIGHT)
    assert _names(urgent) == ["Middle, open all night", "Far, open all night", "No hours", "Near, closed at night"]
    dental = search.search_services(session, category="dental", near="FH1 1AA", now=TUESDAY_NIGHT)
    assert _names(dental) == ["No hours", "Near, closed at night", "Middle, open all night", "Far, open all night"]
    # Paging keeps the order: the second page of one result is the second place.
    second = search.search_services(session, category="emergency", near="FH1 1AA", now=TUESDAY_NIGHT, per_page=1, page=2)
    assert _names(second) == ["Far, open all night"]
    # Without a point: open first, then by name.
    anywhere = search.search_services(session, category="emergency", now=TUESDAY_NIGHT)
    assert _names(anywhere)[:2] == ["Far, open all night", "Middle, open all night"]
