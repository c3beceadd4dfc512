"""Where things are in Fairhaven, the FICTIONAL demo city: neighbourhoods, postcodes and service locations.

Fairhaven does not exist. It sits in the North Sea (around 54.20 N, 2.10 E) so that no real place is implied, and
its "FH" postcode area is invented. Edit these tables, then run `python -m carebridge.directory.demo.build`.
"""

from __future__ import annotations

from dataclasses import dataclass

CITY = "Fairhaven"
COUNTRY = "GB"
STATE_PROVINCE = "England"
JURISDICTION = "GB-ENG"
TIME_ZONE = "Europe/London"
LOCAL_LANGUAGE = "en"
CENTRE = (54.2000, 2.1000)

# (name, postcode district, latitude, longitude)
NEIGHBOURHOODS: tuple[tuple[str, str, float, float], ...] = (
    ("Town Centre", "FH1", 54.2000, 2.1000),
    ("Old Town", "FH1", 54.2055, 2.0880),
    ("Harbourside", "FH1", 54.1935, 2.1230),
    ("Northgate", "FH2", 54.2270, 2.0960),
    ("Millbrook", "FH2", 54.2200, 2.0620),
    ("Riverside", "FH2", 54.2140, 2.1230),
    ("Westfield", "FH3", 54.1990, 2.0430),
    ("Ashby Park", "FH3", 54.1820, 2.0560),
    ("Southmoor", "FH4", 54.1700, 2.1000),
    ("Larkfield", "FH4", 54.1650, 2.0700),
    ("Eastcliff", "FH5", 54.2050, 2.1600),
    ("Kingsley", "FH5", 54.1850, 2.1450),
    ("Hollins Green", "FH6", 54.2350, 2.1400),
)

# (postcode, neighbourhood, latitude, longitude)
POSTCODES: tuple[tuple[str, str, float, float], ...] = (
    ("FH1 1AA", "Town Centre", 54.2001, 2.1003),
    ("FH1 1PF", "Town Centre", 54.1992, 2.0946),
    ("FH1 1XE", "Town Centre", 54.1989, 2.0977),
    ("FH1 2WH", "Town Centre", 54.1963, 2.0992),
    ("FH1 2DJ", "Old Town", 54.2022, 2.0871),
    ("FH1 3YE", "Old Town", 54.2091, 2.0896),
    ("FH1 3YB", "Old Town", 54.2061, 2.0868),
    ("FH1 4JB", "Harbourside", 54.1940, 2.1186),
    ("FH1 4SF", "Harbourside", 54.1938, 2.1239),
    ("FH1 5XG", "Harbourside", 54.1903, 2.1239),
    ("FH2 1HQ", "Northgate", 54.2238, 2.0985),
    ("FH2 1YB", "Northgate", 54.2280, 2.0960),
    ("FH2 2XS", "Northgate", 54.2292, 2.0956),
    ("FH2 2TQ", "Millbrook", 54.2184, 2.0655),
    ("FH2 3JD", "Millbrook", 54.2206, 2.0623),
    ("FH2 3PT", "Millbrook", 54.2183, 2.0678),
    ("FH2 4EW", "Riverside", 54.2133, 2.1261),
    ("FH2 4FU", "Riverside", 54.2134, 2.1285),
    ("FH2 5DX", "Riverside", 54.2146, 2.1275),
    ("FH3 1PP", "Westfield", 54.2006, 2.0441),
    ("FH3 1YT", "Westfield", 54.1956, 2.0381),
    ("FH3 2LU", "Westfield", 54.2006, 2.0378),
    ("FH3 2NY", "Ashby Park", 54.1859, 2.0599),
    ("FH3 3NR", "Ashby Park", 54.1851, 2.0542),
    ("FH4 1BH", "Southmoor", 54.1721, 2.0956),
    ("FH4 1JR", "Southmoor", 54.1691, 2.1045),
    ("FH4 2DG", "Southmoor", 54.1696, 2.1006),
    ("FH4 2FS", "Larkfield", 54.1679, 2.0673),
    ("FH4 3SQ", "Larkfield", 54.1665, 2.0686),
    ("FH4 3JF", "Larkfield", 54.1617, 2.0658),
    ("FH5 1JA", "Eastcliff", 54.2049, 2.1611),
    ("FH5 1LN", "Eastcliff", 54.2010, 2.1590),
    ("FH5 2QZ", "Eastcliff", 54.2055, 2.1654),
    ("FH5 2WZ", "Kingsley", 54.1862, 2.1479),
    ("FH5 3TX", "Kingsley", 54.1841, 2.1438),
    ("FH5 3EU", "Kingsley", 54.1861, 2.1397),
    ("FH6 1DH", "Hollins Green", 54.2345, 2.1353),
    ("FH6 1ZB", "Hollins Green", 54.2318, 2.1408),
)

# Where the confidential places are: used for their locations' positions (which are never published) and NEVER
# for the gazetteer, so that typing or guessing a postcode cannot lead to a refuge. A postcode only a confidential
# place has is not in POSTCODES; build.py refuses to build a gazetteer that holds one.
PRIVATE_POSTCODES: tuple[tuple[str, str, float, float], ...] = (
    ("FH3 3TQ", "Ashby Park", 54.1793, 2.0514),
    ("FH6 2XE", "Hollins Green", 54.2386, 2.1414),
)

STEP_FREE = "Step-free entrance and an accessible toilet."
HEARING_LOOP = "Hearing loop at reception."


@dataclass(frozen=True)
class Place:
    """A physical location. Its position is its postcode's, nudged a little (see build.py) so that two places in
    one postcode do not sit on the same point."""

    key: str
    name: str
    address_1: str
    postcode: str
    transportation: str = ""
    accessibility: tuple[str, ...] = ()
    phone: str = ""
    description: str = ""
    confidential: bool = False


@dataclass(frozen=True)
class VirtualPlace:
    """A phone line or website: no address and no position."""

    key: str
    name: str
    url: str
    phone: str
    description: str = ""


PLACES: tuple[Place, ...] = (
    # Hospitals and NHS sites
    Place(
        "general-hospital",
        "Fairhaven General Hospital",
        "Beacon Road",
        "FH4 1BH",
        "Buses 1, 4 and 9 stop at the main entrance. Free parking for Blue Badge holders.",
        (STEP_FREE, HEARING_LOOP, "Wheelchairs to borrow at the main entrance."),
        "01632 960100",
        "The main hospital for Fairhaven. A&E is signposted in red from the Beacon Road entrance.",
    ),
    Place(
        "health-village",
        "Fairhaven Health Village",
        "40 Northgate Road",
        "FH2 1HQ",
        "Bus 2 or 6 to Northgate Road. Ten minutes' walk from Fairhaven Central station.",
        (STEP_FREE, HEARING_LOOP),
        "01632 960101",
        "A modern NHS building with the urgent treatment centre, the community dental service and clinics.",
    ),
    Place(
        "harbour-clinic",
        "The Harbour Clinic",
        "12 Fisher Row",
        "FH1 4SF",
        "Bus 3 or 7 to Harbour Street, then two minutes' walk along Fisher Row.",
        (STEP_FREE,),
        "01632 960102",
        "A discreet clinic on the first floor above the pharmacy. Lift available.",
    ),
    Place(
        "harbourside-surgery",
        "Harbourside Surgery",
        "3 Quay Road",
        "FH1 4JB",
        "Bus 3 or 7 to Quay Road. Five minutes' walk from the ferry terminal.",
        (STEP_FREE, HEARING_LOOP),
        "01632 960103",
    ),
    Place(
        "northgate-health-centre",
        "Northgate Health Centre",
        "2 Northgate Road",
        "FH2 1YB",
        "Bus 2 or 6 to Northgate shops.",
        (STEP_FREE,),
        "01632 960104",
    ),
    Place(
        "westfield-surgery",
        "Westfield Surgery",
        "18 Westfield Avenue",
        "FH3 1PP",
        "Bus 5 to Westfield Avenue. Free car park behind the building.",
        (STEP_FREE, HEARING_LOOP),
        "01632 960105",
    ),
    Place(
        "refugee-health-practice",
        "Saltings Way Health Practice",
        "Unit 2, Saltings Way",
        "FH1 1PF",
        "Five minutes' walk from Fairhaven Central station. Any bus to the town centre.",
        (STEP_FREE, "Quiet room available if you need it."),
        "01632 960106",
    ),
    Place(
        "quayside-pharmacy",
        "Quayside Pharmacy",
        "27 Harbour Street",
        "FH1 4SF",
        "Bus 3 or 7 to Harbour Street.",
        (STEP_FREE, "Private consultation room."),
        "01632 960107",
    ),
    Place(
        "millbrook-pharmacy",
        "Millbrook Pharmacy",
        "5 Mill Race Road",
        "FH2 3JD",
        "Bus 8 to Millbrook Parade.",
        ("One small step at the entrance; ring the bell for a ramp.",),
        "01632 960108",
    ),
    Place(
        "chapel-lane-dental",
        "Chapel Lane Dental Practice",
        "14 Chapel Lane",
        "FH1 3YB",
        "Bus 1 to Castle Hill, then three minutes' walk downhill.",
        ("Ground-floor surgery for people who cannot use stairs.",),
        "01632 960109",
    ),
    # Community buildings
    Place(
        "welcome-centre",
        "Fairhaven Refugee Welcome Centre",
        "The Old Seamen's Mission, 2 Fisher Row",
        "FH1 4SF",
        "Bus 3 or 7 to Harbour Street. Look for the blue door opposite the fish market.",
        (STEP_FREE, "Children's corner and baby-changing room."),
        "01632 960110",
    ),
    Place(
        "safe-harbour-centre",
        "Safe Harbour Centre",
        "6 Victoria Terrace",
        "FH5 3TX",
        "Bus 4 to Kingsley Road, then left into Victoria Terrace.",
        ("Ground-floor therapy rooms.", HEARING_LOOP),
        "01632 960111",
    ),
    Place(
        "wellbeing-hub",
        "The Wellbeing Hub",
        "22 Market Place",
        "FH1 1XE",
        "In the town centre, next to the covered market. Any bus to the town centre.",
        (STEP_FREE,),
        "01632 960112",
    ),
    Place(
        "youth-project",
        "Open Door Youth Project",
        "51 Ashby Road",
        "FH3 2NY",
        "Bus 5 or 10 to Ashby Park.",
        (STEP_FREE,),
        "01632 960113",
    ),
    Place(
        "kingsley-childrens-centre",
        "Kingsley Children's Centre",
        "Kingsley Road",
        "FH5 2WZ",
        "Bus 4 to Kingsley Road. Buggy park inside.",
        (STEP_FREE, "Baby-changing and feeding room."),
        "01632 960114",
    ),
    Place(
        "westfield-family-hub",
        "Westfield Family Hub",
        "9 Orchard Way",
        "FH3 2LU",
        "Bus 5 to Westfield shops.",
        (STEP_FREE, "Baby-changing and feeding room."),
        "01632 960115",
    ),
    Place(
        "baby-bank",
        "Little Harbour Baby Bank",
        "Unit 7, Ropewalk Trading Estate",
        "FH4 2FS",
        "Bus 9 to Larkfield. The unit is at the back of the estate, signposted.",
        (STEP_FREE,),
        "01632 960116",
    ),
    Place(
        "law-centre",
        "Fairhaven Law Centre",
        "Second floor, 10 Castle Hill",
        "FH1 2DJ",
        "Bus 1 to Castle Hill.",
        ("Lift to the second floor.", HEARING_LOOP),
        "01632 960117",
    ),
    Place(
        "northgate-community-centre",
        "Northgate Community Centre",
        "17 Hollybush Street",
        "FH2 2XS",
        "Bus 2 or 6 to Northgate shops, then two minutes' walk.",
        (STEP_FREE,),
        "01632 960118",
    ),
    Place(
        "kingsley-rao-office",
        "Kingsley Rao Solicitors",
        "88 Kingsley Road",
        "FH5 3EU",
        "Bus 4 to Kingsley Road.",
        ("Interview room on the ground floor.",),
        "01632 960119",
    ),
    Place(
        "advice-centre",
        "Fairhaven Advice Centre",
        "1 Station Road",
        "FH1 1PF",
        "Opposite Fairhaven Central station.",
        (STEP_FREE, HEARING_LOOP),
        "01632 960120",
    ),
    Place(
        "central-library",
        "Fairhaven Central Library",
        "Market Place",
        "FH1 1XE",
        "In the town centre. Any bus to the town centre.",
        (STEP_FREE, HEARING_LOOP, "Free public computers and Wi-Fi."),
        "01632 960121",
    ),
    Place(
        "millbrook-library",
        "Millbrook Library",
        "40 Millbrook Lane",
        "FH2 2TQ",
        "Bus 8 to Millbrook Lane.",
        (STEP_FREE,),
        "01632 960122",
    ),
    Place(
        "northgate-methodist",
        "Northgate Methodist Church Hall",
        "Chapel Street, Northgate",
        "FH2 1HQ",
        "Bus 2 or 6 to Northgate Road. The hall entrance is on the side of the church.",
        (STEP_FREE,),
    ),
    Place(
        "southmoor-hall",
        "Southmoor Community Hall",
        "Moor Lane",
        "FH4 2DG",
        "Bus 1 or 9 to Southmoor.",
        (STEP_FREE,),
        "01632 960123",
    ),
    Place(
        "eastcliff-centre",
        "Eastcliff Community Centre",
        "30 Cliff Road",
        "FH5 1JA",
        "Bus 11 to Cliff Road.",
        (STEP_FREE,),
        "01632 960124",
    ),
    Place(
        "hollins-green-centre",
        "Hollins Green Community Centre",
        "Hollins Lane",
        "FH6 1ZB",
        "Bus 12 to Hollins Green.",
        (STEP_FREE,),
        "01632 960125",
    ),
    Place(
        "ashby-park-centre",
        "Ashby Park Community Centre",
        "2 Linden Grove",
        "FH3 3NR",
        "Bus 10 to Ashby Park.",
        (STEP_FREE, "Women-only room available."),
        "01632 960126",
    ),
    Place(
        "westfield-rooms",
        "Westfield Community Rooms",
        "60 Westfield Avenue",
        "FH3 1YT",
        "Bus 5 to Westfield Avenue.",
        ("Rooms on the ground floor.",),
    ),
    Place(
        "st-brendans",
        "St Brendan's Church Hall",
        "Church Street",
        "FH1 3YE",
        "Bus 1 to Old Town. Use the hall door at the side, not the church door.",
        (STEP_FREE,),
        "01632 960127",
    ),
    Place(
        "harbour-pantry",
        "Harbour Community Pantry",
        "4 Larkfield Parade",
        "FH4 3SQ",
        "Bus 9 to Larkfield Parade.",
        (STEP_FREE,),
    ),
    Place(
        "gurdwara",
        "Guru Nanak Gurdwara",
        "Riverside Walk",
        "FH2 4EW",
        "Bus 6 to Riverside. Please cover your head and take off your shoes; head scarves are provided.",
        (STEP_FREE,),
        "01632 960128",
    ),
    Place(
        "civic-centre",
        "Fairhaven Civic Centre",
        "Town Hall Square",
        "FH1 1AA",
        "In the town centre, two minutes from the bus station.",
        (STEP_FREE, HEARING_LOOP),
        "01632 960129",
    ),
    Place(
        "lantern-house",
        "Lantern House",
        "4 Ropewalk",
        "FH1 5XG",
        "Bus 3 or 7 to Harbour Street, then five minutes' walk towards the boatyard.",
        (STEP_FREE, "Secure storage for bags."),
        "01632 960130",
    ),
    Place(
        "st-marys",
        "St Mary's Church",
        "Cliff Road",
        "FH5 1LN",
        "Bus 11 to St Mary's. Meet at the church porch.",
        (STEP_FREE,),
    ),
    Place(
        "safe-passage-office",
        "Safe Passage office",
        "Suite 4, 30 Harbour Street",
        "FH1 4JB",
        "Bus 3 or 7 to Harbour Street.",
        ("Lift to the first floor.",),
        "01632 960131",
    ),
    Place(
        "college-westfield",
        "Fairhaven College, Westfield Campus",
        "College Road",
        "FH3 2LU",
        "Bus 5 or 10 to Fairhaven College.",
        (STEP_FREE, HEARING_LOOP),
        "01632 960132",
    ),
    Place(
        "college-town",
        "Fairhaven College, Town Centre Campus",
        "5 Queen Street",
        "FH1 2WH",
        "Two minutes from the bus station.",
        (STEP_FREE,),
        "01632 960133",
    ),
    Place(
        "arabic-association",
        "Fairhaven Arabic Community Association",
        "61 Millbrook Lane",
        "FH2 3PT",
        "Bus 8 to Millbrook Lane, stop 5.",
        (STEP_FREE,),
        "01632 960134",
    ),
    Place(
        "positive-fairhaven",
        "Positive Fairhaven",
        "8 Victoria Terrace",
        "FH5 3TX",
        "Bus 4 to Kingsley Road. Unmarked door with a green bell; nobody can tell why you are visiting.",
        ("Ground floor.",),
        "01632 960135",
    ),
    Place(
        "riverside-mosque",
        "Riverside Mosque community room",
        "12 Ferry Lane",
        "FH2 5DX",
        "Bus 6 to Riverside. The community room has its own entrance from the car park.",
        (STEP_FREE,),
    ),
    # CONFIDENTIAL: these addresses are invented like everything else, but the system must still never show them.
    Place(
        "womens-refuge",
        "Women's refuge",
        "17 Larkspur Close",
        "FH6 2XE",
        "",
        (),
        "01632 960190",
        "The address is given by phone when a place is offered.",
        confidential=True,
    ),
    Place(
        "safe-house",
        "Safe house",
        "5 Heron Way",
        "FH3 3TQ",
        "",
        (),
        "01632 960191",
        "The address is given by phone when a place is offered.",
        confidential=True,
    ),
)

VIRTUAL_PLACES: tuple[VirtualPlace, ...] = (
    VirtualPlace(
        "crisis-line",
        "Mental health crisis line (phone)",
        "https://example.org/fairhaven/crisis-line",
        "0808 157 0100",
        "A free phone line, answered every hour of every day.",
    ),
    VirtualPlace(
        "womens-aid-helpline",
        "Women's Aid helpline (phone)",
        "https://example.org/fairhaven/womens-aid/helpline",
        "0808 157 0200",
        "A free phone line, answered every hour of every day. Calls do not show on a landline bill.",
    ),
    VirtualPlace(
        "advice-line",
        "Fairhaven Advice Centre phone line",
        "https://example.org/fairhaven/advice-centre/phone",
        "0808 157 0300",
    ),
    VirtualPlace(
        "law-centre-line",
        "Law Centre advice line (phone)",
        "https://example.org/fairhaven/law-centre/advice-line",
        "01632 960217",
    ),
    VirtualPlace(
        "homelessness-line",
        "Emergency homelessness line (phone)",
        "https://example.org/fairhaven/council/homeless",
        "0808 157 0400",
    ),
)
