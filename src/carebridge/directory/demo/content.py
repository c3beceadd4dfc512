"""Who does what in Fairhaven, the FICTIONAL demo city: organisations and their services.

Every organisation, person, address, phone number and web address here is invented. Phone numbers come from the
ranges Ofcom keeps for drama (01632 960xxx, 07700 900xxx, 0808 157 0xxx); web and email addresses are under
example.org. Edit these tables, then run `python -m carebridge.directory.demo.build`.

Opening hours are written as short strings that build.py turns into HSDS schedules (all in Europe/London time):

    "MO-FR 09:00-17:00"   Monday to Friday                 "MO,WE 10:00-12:00"  Monday and Wednesday
    "DAILY 20:00-08:00"   every day, overnight (closes next morning, because closes < opens)
    "24/7"                open all day every day (encoded as every day 00:00-23:59)
    "1SA 10:00-15:00"     a monthly schedule: the first Saturday of each month (-1FR = last Friday)

"Open evenings" and "Open weekends" are worked out from the hours, never typed in, so they cannot disagree.
`verified` is the date a person last checked the record; a few are deliberately more than 12 months before
2026-11-22 so that the "not checked recently" warning can be seen.
"""

from __future__ import annotations

from dataclasses import dataclass

from carebridge.directory.taxonomy import (
    CHILDCARE,
    FREE,
    LOW_COST,
    NO_DOCUMENTS,
    NO_STATUS_CHECK,
    SAME_GENDER_CLINICIAN,
    TRANSPORT_HELP,
    Term,
)

OPEN_TO_ALL: tuple[Term, ...] = (FREE, NO_STATUS_CHECK, NO_DOCUMENTS)
SAME_GENDER = SAME_GENDER_CLINICIAN

PHONED = "Phoned the provider"
LEAFLET = "Provider's leaflet"
WEBSITE = "Provider's website"
VISITED = "Visited in person"
EMAIL = "Email from the provider"
OUTREACH = "Told by an outreach worker, then confirmed with the provider"

# NHS charges in England used in this fictional data (per course of treatment / per item).
DENTAL_BAND_1 = 27.40
DENTAL_BAND_2 = 75.30
DENTAL_BAND_3 = 326.70
PRESCRIPTION_ITEM = 9.90


@dataclass(frozen=True)
class Organization:
    key: str
    name: str
    description: str
    phone: str
    legal_status: str
    year_incorporated: int | None = None
    alternate_name: str | None = None


@dataclass(frozen=True)
class At:
    """A service offered at one place (a `Place` or `VirtualPlace` key), with its opening hours there."""

    place: str
    hours: tuple[str, ...] = ()
    note: str = ""
    valid_from: str | None = None
    valid_to: str | None = None


@dataclass(frozen=True)
class Cost:
    option: str
    amount: float
    per: str


@dataclass(frozen=True)
class Contact:
    name: str
    title: str
    email: str


@dataclass(frozen=True)
class Service:
    key: str
    org: str
    name: str
    description: str
    categories: tuple[str, ...]
    at: tuple[At, ...]
    verified: str
    source: str
    languages: tuple[str, ...] = ("en",)
    interpreters: tuple[str, ...] = ()
    facts: tuple[Term, ...] = ()
    costs: tuple[Cost, ...] = ()
    documents: tuple[str, ...] = ()
    minimum_age: int | None = None
    maximum_age: int | None = None
    gender: str | None = None
    application: str = ""
    eligibility: str = ""
    fees: str = ""
    interpretation: str = ""
    alert: str = ""
    phone: str = ""
    email: str = ""
    contact: Contact | None = None
    content_language: str = "en"
    # The service asks about immigration status or may share information with the authorities: what, and where
    # that is written. Becomes a `status-check` attribute whose value is this text.
    status_check: str = ""
    alternate_name: str | None = None
    # The faith the activity respects, or "all faiths welcome": becomes a `faith-sensitive` attribute.
    faith: str = ""


ORGANIZATIONS: tuple[Organization, ...] = (
    Organization(
        "hospital-trust",
        "Fairhaven and Coast NHS Foundation Trust",
        "Runs Fairhaven General Hospital: A&E, maternity, outpatient clinics and the TB service.",
        "01632 960001",
        "NHS foundation trust",
        1994,
    ),
    Organization(
        "community-health",
        "Fairhaven Community Health NHS Trust",
        "NHS community services: sexual health, vaccinations, health visitors, talking therapies, "
        "urgent dental care and the mental health crisis line.",
        "01632 960002",
        "NHS trust",
        2001,
    ),
    Organization(
        "harbourside-practice",
        "Harbourside Medical Practice",
        "A family doctor (GP) practice by the harbour with eight doctors and four nurses.",
        "01632 960003",
        "NHS GP partnership",
        1987,
    ),
    Organization(
        "northgate-practice",
        "Northgate Health Centre GP Practice",
        "A large family doctor (GP) practice in the north of Fairhaven.",
        "01632 960004",
        "NHS GP partnership",
        1979,
    ),
    Organization(
        "westfield-practice",
        "Westfield Family Practice",
        "A family doctor (GP) practice in Westfield with women and men doctors.",
        "01632 960005",
        "NHS GP partnership",
        1995,
    ),
    Organization(
        "saltings-way-practice",
        "Saltings Way Health Practice",
        "An NHS GP practice set up for people who find it hard to use other practices: people seeking asylum, "
        "refugees, people without a home and people who have just arrived in the country.",
        "01632 960006",
        "NHS GP practice",
        2009,
    ),
    Organization(
        "quayside-pharmacy",
        "Quayside Pharmacy",
        "An independent pharmacy on Harbour Street, open late every day.",
        "01632 960007",
        "Private company",
        1972,
    ),
    Organization(
        "millbrook-pharmacy",
        "Millbrook Pharmacy",
        "A neighbourhood pharmacy on Millbrook Parade.",
        "01632 960008",
        "Private company",
        2004,
    ),
    Organization(
        "chapel-lane-dental",
        "Chapel Lane Dental Practice",
        "A dental practice that treats NHS and private patients.",
        "01632 960009",
        "Private company",
        1990,
    ),
    Organization(
        "open-smile",
        "Open Smile Dental Outreach",
        "Volunteer dentists who bring a mobile dental surgery to people who cannot get an NHS dentist.",
        "01632 960010",
        "Registered charity",
        2016,
    ),
    Organization(
        "safe-harbour",
        "Safe Harbour Trauma Service",
        "Therapy and support for refugees and survivors of torture, war and violence.",
        "01632 960011",
        "Registered charity",
        2003,
    ),
    Organization(
        "minds-together",
        "Fairhaven Minds Together",
        "A local mental health charity: counselling, groups and befriending.",
        "01632 960012",
        "Registered charity",
        1988,
    ),
    Organization(
        "open-door-youth",
        "Open Door Youth Project",
        "Support, counselling and somewhere to go for young people aged 11 to 25.",
        "01632 960013",
        "Registered charity",
        1999,
    ),
    Organization(
        "birth-companions",
        "Fairhaven Birth Companions",
        "Volunteer birth companions (doulas) for women who are pregnant and alone or new to the country.",
        "01632 960014",
        "Registered charity",
        2014,
    ),
    Organization(
        "baby-bank",
        "Little Harbour Baby Bank",
        "Gives free clothes, nappies and equipment for babies and young children.",
        "01632 960015",
        "Registered charity",
        2018,
    ),
    Organization(
        "law-centre",
        "Fairhaven Law Centre",
        "Free legal advice on immigration and asylum, housing and work rights.",
        "01632 960016",
        "Registered charity",
        1977,
    ),
    Organization(
        "northgate-immigration",
        "Northgate Immigration Advice Project",
        "Free immigration advice from advisers regulated by the Immigration Advice Authority.",
        "01632 960017",
        "Registered charity",
        2011,
    ),
    Organization(
        "kingsley-rao",
        "Kingsley Rao Solicitors",
        "A firm of solicitors specialising in immigration, asylum and family law.",
        "01632 960018",
        "Limited liability partnership",
        2006,
    ),
    Organization(
        "advice-centre",
        "Fairhaven Advice Centre",
        "Free, independent advice on benefits, debt, housing, work and forms.",
        "01632 960019",
        "Registered charity",
        1969,
    ),
    Organization(
        "food-bank",
        "Fairhaven Food Bank",
        "Emergency food parcels for people in crisis, at three centres across the city.",
        "01632 960020",
        "Registered charity",
        2012,
    ),
    Organization(
        "st-brendans",
        "St Brendan's Community Kitchen",
        "A church-run kitchen serving free hot meals to anyone who comes.",
        "01632 960021",
        "Registered charity",
        1996,
    ),
    Organization(
        "harbour-pantry",
        "Harbour Community Pantry",
        "A members' food shop: a weekly bag of food for a small fixed price.",
        "01632 960022",
        "Community interest company",
        2020,
    ),
    Organization(
        "gurdwara",
        "Guru Nanak Gurdwara Fairhaven",
        "A Sikh place of worship whose community kitchen (langar) feeds everyone, of any faith or none.",
        "01632 960023",
        "Registered charity",
        1983,
    ),
    Organization(
        "riverside-mosque",
        "Riverside Mosque",
        "A mosque and community centre by the river, open to neighbours of every faith.",
        "01632 960039",
        "Registered charity",
        1998,
    ),
    Organization(
        "council",
        "Fairhaven City Council",
        "The local council: housing and homelessness, libraries and community services.",
        "01632 960024",
        "Local authority",
    ),
    Organization(
        "lantern",
        "Lantern Homeless Project",
        "A night shelter and day centre for people sleeping rough.",
        "01632 960025",
        "Registered charity",
        1991,
    ),
    Organization(
        "churches-winter-shelter",
        "Fairhaven Churches Winter Shelter",
        "Churches and a mosque taking turns to offer beds on winter nights.",
        "01632 960026",
        "Unincorporated association",
        2010,
    ),
    Organization(
        "womens-aid",
        "Fairhaven Women's Aid",
        "Safety, refuge and support for women and children living with domestic abuse.",
        "01632 960027",
        "Registered charity",
        1981,
    ),
    Organization(
        "safe-passage",
        "Safe Passage Fairhaven",
        "Help for people who have been trafficked or forced to work.",
        "01632 960028",
        "Registered charity",
        2015,
    ),
    Organization(
        "open-homes",
        "Open Homes Fairhaven",
        "Volunteer hosts offering a spare room to people seeking asylum who have nowhere to stay.",
        "01632 960029",
        "Registered charity",
        2017,
    ),
    Organization(
        "college",
        "Fairhaven College",
        "The city's further education college, with English classes for speakers of other languages (ESOL).",
        "01632 960030",
        "Further education corporation",
        1966,
    ),
    Organization(
        "welcome-centre",
        "Fairhaven Refugee Welcome Centre",
        "A drop-in centre where refugees and people seeking asylum can get advice, learn English, eat and meet "
        "others.",
        "01632 960031",
        "Registered charity",
        2002,
    ),
    Organization(
        "arabic-association",
        "Fairhaven Arabic Community Association",
        "A community group run by and for Arabic speakers in Fairhaven.",
        "01632 960032",
        "Registered charity",
        2008,
        "رابطة الجالية العربية في فيرهيفن",
    ),
    Organization(
        "ukrainian-hub",
        "Ukrainian Community Hub Fairhaven",
        "A volunteer group supporting Ukrainians who have come to Fairhaven.",
        "01632 960033",
        "Community interest company",
        2022,
        "Українська громада Фейргейвена",
    ),
    Organization(
        "afghan-association",
        "Fairhaven Afghan Community Association",
        "A community group for Afghan families, with volunteers who speak Dari and Pashto.",
        "01632 960034",
        "Registered charity",
        2021,
        "انجمن جامعه افغان‌های فیرهیون",
    ),
    Organization(
        "somali-womens-group",
        "Somali Women's Group Fairhaven",
        "A group run by Somali women for women and their families.",
        "01632 960035",
        "Unincorporated association",
        2013,
    ),
    Organization(
        "habesha-community",
        "Habesha Community Fairhaven",
        "A community group for people from Eritrea and Ethiopia.",
        "01632 960036",
        "Unincorporated association",
        2019,
    ),
    Organization(
        "positive-fairhaven",
        "Positive Fairhaven",
        "Support for people living with HIV, and free testing for HIV and hepatitis C.",
        "01632 960037",
        "Registered charity",
        1992,
    ),
    Organization(
        "age-friendly",
        "Fairhaven Age Friendly",
        "Clubs, lunches and friendship for people aged 60 and over.",
        "01632 960038",
        "Registered charity",
        1985,
    ),
)


SERVICES: tuple[Service, ...] = (
    # ---------------------------------------------------------------- Fairhaven and Coast NHS Foundation Trust
    Service(
        "hospital-ae",
        "hospital-trust",
        "Accident and Emergency (A&E)",
        "For serious injuries and illnesses that cannot wait, at any time of day or night: chest pain, "
        "breathing problems, heavy bleeding, serious burns, broken bones. Treatment in A&E is free for "
        "everyone. If you are admitted to a ward afterwards, some people from overseas may be asked about "
        "charges later, but urgent care is never delayed. In a life-threatening emergency call 999.",
        ("emergency",),
        (At("general-hospital", ("24/7",)),),
        "2026-10-02",
        PHONED,
        interpreters=("ar", "fa", "uk", "ps", "ti", "so", "ku", "ur", "pl", "ro", "fr", "es"),
        facts=(FREE, NO_DOCUMENTS),
        application="Walk in or come by ambulance. You do not need an appointment.",
        fees="Free in A&E. Hospital care after you are admitted may be charged to some overseas visitors.",
    ),
    Service(
        "hospital-maternity",
        "hospital-trust",
        "Maternity unit and antenatal clinic",
        "Care from midwives and doctors while you are pregnant, when you give birth and after. Tell a midwife "
        "as soon as you know you are pregnant, ideally before 10 weeks. Maternity care is never refused or "
        "delayed because of immigration status or because you cannot pay.",
        ("maternity", "hospital-care"),
        (
            At("general-hospital", ("MO-FR 09:00-17:00",), "Antenatal clinic, Women's Unit, level 2."),
        ),
        "2026-09-18",
        PHONED,
        interpreters=("ar", "fa", "uk", "ps", "ti", "so", "ku", "ur", "pl", "ro", "fr", "am"),
        facts=(NO_DOCUMENTS, SAME_GENDER),
        gender="female",
        application="Refer yourself by phone, or ask your GP or any midwife to refer you. "
        "If you are in labour or worried about your baby, the maternity triage line is answered day and night.",
        fees="Free for most people. Some overseas visitors may get a bill after the birth; care is never "
        "refused or delayed, and you can ask for help with the bill.",
        phone="01632 960201",
    ),
    Service(
        "hospital-outpatients",
        "hospital-trust",
        "Hospital outpatient clinics",
        "Appointments with hospital specialists after a referral from a GP. The hospital will ask where you "
        "live and about your residence, because some overseas visitors are charged for planned hospital care.",
        ("hospital-care",),
        (At("general-hospital", ("MO-FR 08:30-17:30",)),),
        "2026-04-11",
        WEBSITE,
        interpreters=("ar", "fa", "uk", "pl", "ro", "ur"),
        documents=(
            "Your appointment letter",
            "Proof of address, such as a letter with your name on it",
            "Passport or Home Office document, if you have one, for the overseas visitors check",
        ),
        application="You need a referral from a GP or another doctor.",
        fees="Free for people who live in the UK lawfully and for people with refugee status or an asylum "
        "claim. Other overseas visitors may be charged 150% of the NHS cost before planned treatment.",
        status_check="The overseas visitors team checks whether you must pay for planned hospital care, and may "
        "ask about your immigration status (NHS (Charges to Overseas Visitors) Regulations 2015, SI 2015/238, "
        "regulation 3). NHS bodies in England can tell the Home Office about unpaid hospital bills of £500 or more "
        "(Immigration Rules, Part 9, paragraph 9.11.1; Department of Health and Social Care, Guidance on "
        "implementing the overseas visitor charging regulations).",
    ),
    Service(
        "hospital-tb",
        "hospital-trust",
        "TB clinic",
        "Tests and treatment for tuberculosis (TB). If you have had a cough for more than three weeks, fever, "
        "night sweats or weight loss, ask for a test. TB tests and treatment are free for everyone, whatever "
        "your immigration status.",
        ("communicable-diseases",),
        (At("general-hospital", ("TU,TH 09:00-13:00",), "Respiratory Unit, ground floor, Beacon Road entrance."),),
        "2026-07-30",
        PHONED,
        interpreters=("ar", "fa", "ps", "ti", "so", "ur", "ro", "pl"),
        facts=OPEN_TO_ALL,
        application="Phone to book, or ask any GP to refer you.",
        phone="01632 960202",
    ),
    # ------------------------------------------------------------- Fairhaven Community Health NHS Trust
    Service(
        "urgent-treatment-centre",
        "community-health",
        "Urgent Treatment Centre",
        "For injuries and illnesses that need care today but are not life-threatening: cuts, sprains, "
        "minor burns, high temperature, infections. Walk in; no appointment needed. Free for everyone.",
        ("emergency", "primary-care"),
        (At("health-village", ("DAILY 08:00-22:00",)),),
        "2026-10-20",
        PHONED,
        interpreters=("ar", "fa", "uk", "pl", "ro", "ur", "ti"),
        facts=(FREE, NO_DOCUMENTS),
        application="Walk in. You may have to wait; the sickest people are seen first.",
    ),
    Service(
        "sexual-health-clinic",
        "community-health",
        "Harbour Clinic sexual health service",
        "Free and confidential: contraception, the morning-after pill, pregnancy tests, and tests and "
        "treatment for sexually transmitted infections including HIV. You do not need to be registered with a "
        "GP, and we do not share anything with your GP or anyone else without your agreement.",
        ("sexual-reproductive-health", "communicable-diseases"),
        (At("harbour-clinic", ("MO-FR 09:00-16:30", "TU,TH 17:00-19:30", "SA 10:00-13:00")),),
        "2026-11-03",
        PHONED,
        languages=("en", "pl"),
        interpreters=("ar", "fa", "uk", "ro", "pt", "es", "fr", "ti", "so"),
        facts=OPEN_TO_ALL + (SAME_GENDER,),
        application="Walk in, or book online or by phone. You can use a made-up name if you want to.",
        phone="01632 960203",
        email="harbour-clinic@example.org",
    ),
    Service(
        "young-sexual-health",
        "community-health",
        "Sexual health drop-in for young people",
        "A relaxed sexual health drop-in for people aged 13 to 24: condoms, contraception, tests and someone "
        "to talk to. Confidential, even if you are under 16.",
        ("sexual-reproductive-health",),
        (At("youth-project", ("WE 15:30-18:30",)),),
        "2026-06-12",
        LEAFLET,
        interpreters=("ar", "fa", "ti", "so"),
        facts=OPEN_TO_ALL + (SAME_GENDER,),
        minimum_age=13,
        maximum_age=24,
        application="Just walk in.",
    ),
    Service(
        "childrens-vaccinations",
        "community-health",
        "Children's vaccination clinic",
        "Free vaccinations for babies, children and teenagers, including catch-up vaccines for children who "
        "have arrived from another country. Bring any vaccination record you have, in any language; if you "
        "have none, the nurse will work out what your child needs.",
        ("vaccination",),
        (
            At("kingsley-childrens-centre", ("MO 09:30-12:00",)),
            At("westfield-family-hub", ("WE 09:30-12:00",)),
        ),
        "2026-08-21",
        PHONED,
        interpreters=("ar", "fa", "ps", "uk", "ti", "so", "ro"),
        facts=OPEN_TO_ALL,
        maximum_age=17,
        application="Book by phone. A parent or carer must come with children under 16.",
        phone="01632 960204",
    ),
    Service(
        "winter-vaccinations",
        "community-health",
        "Winter flu and COVID-19 vaccination clinic",
        "Free flu and COVID-19 vaccines for people aged 65 and over, pregnant women, people with long-term "
        "health conditions and their carers. Open evenings and weekends while the winter programme runs.",
        ("vaccination",),
        (
            At(
                "health-village",
                ("SA,SU 09:00-15:00", "WE 16:00-20:00"),
                "Clinic room 4, ground floor.",
                valid_from="2026-09-15",
                valid_to="2027-01-31",
            ),
        ),
        "2026-09-10",
        WEBSITE,
        interpreters=("ar", "pl", "ro", "ur", "uk"),
        facts=OPEN_TO_ALL,
        eligibility="Aged 65 or over, pregnant, or with a long-term health condition, or a carer.",
        application="Walk in or book by phone.",
    ),
    Service(
        "health-visitors",
        "community-health",
        "Baby clinic with health visitors",
        "Health visitors weigh your baby and answer questions about feeding, sleep, crying and development. "
        "For families with children under 5. Free; no appointment needed.",
        ("maternity",),
        (
            At("kingsley-childrens-centre", ("TU 09:30-11:30",)),
            At("westfield-family-hub", ("TH 13:30-15:30",)),
        ),
        "2026-05-19",
        LEAFLET,
        languages=("en", "ur"),
        interpreters=("ar", "fa", "ps", "so", "ti"),
        facts=OPEN_TO_ALL,
        maximum_age=4,
    ),
    Service(
        "talking-therapies",
        "community-health",
        "NHS Talking Therapies Fairhaven",
        "Free talking therapy for adults with anxiety, low mood, panic, stress or sleep problems, one to one "
        "or in a group, in person, by phone or by video. You can refer yourself; you do not need to see a "
        "doctor first.",
        ("mental-health",),
        (At("wellbeing-hub", ("MO-TH 08:00-20:00", "FR 08:00-17:00")),),
        "2026-09-01",
        WEBSITE,
        interpreters=("ar", "fa", "uk", "pl", "ro", "ur", "ps", "ku"),
        facts=OPEN_TO_ALL + (SAME_GENDER,),
        minimum_age=16,
        application="Refer yourself online or by phone. A therapist will call you within two weeks.",
        eligibility="Aged 16 or over and living in Fairhaven.",
        phone="01632 960205",
    ),
    Service(
        "crisis-line",
        "community-health",
        "Mental health crisis line (24 hours)",
        "If you or someone you care about is in a mental health crisis, call this free line at any time. "
        "A mental health worker will talk with you and can arrange urgent help. If someone's life is in "
        "immediate danger, call 999.",
        ("mental-health", "emergency"),
        (At("crisis-line", ("24/7",)),),
        "2026-10-15",
        PHONED,
        interpreters=("ar", "fa", "uk", "pl", "ro", "ur", "ps", "ku", "ti", "so"),
        facts=OPEN_TO_ALL,
        application="Phone 0808 157 0100. Say which language you speak and wait on the line for an interpreter.",
        phone="0808 157 0100",
    ),
    Service(
        "urgent-dental",
        "community-health",
        "Urgent dental care",
        "For bad toothache, swelling, a broken tooth or bleeding that will not stop, if you do not have a "
        "dentist or your dentist is closed. Phone first; you will be given a time to come in.",
        ("dental", "emergency"),
        (At("health-village", ("MO-FR 08:30-16:30", "SA,SU 09:00-13:00"), "Community Dental Service, first floor."),),
        "2026-03-14",
        PHONED,
        interpreters=("ar", "fa", "pl", "ro", "uk"),
        facts=(NO_DOCUMENTS,),
        costs=(Cost("Urgent NHS dental treatment", DENTAL_BAND_1, "per course of treatment"),),
        fees="The normal NHS charge for urgent treatment. Free if you are under 18, pregnant, had a baby in "
        "the last 12 months, or have an HC2 certificate (most people seeking asylum have one).",
        phone="01632 960206",
    ),
    Service(
        "blood-virus-testing",
        "community-health",
        "Free HIV and hepatitis testing outreach",
        "A nurse offers quick finger-prick tests for HIV, hepatitis B and hepatitis C, with results in about "
        "20 minutes. Free and confidential; treatment for these infections is free for everyone.",
        ("communicable-diseases",),
        (
            At("welcome-centre", ("2TH 10:00-14:00",), "Second Thursday of each month."),
            At("lantern-house", ("-1FR 08:00-11:00",), "Last Friday of each month, during breakfast."),
        ),
        "2026-08-08",
        OUTREACH,
        languages=("en", "ro"),
        interpreters=("ar", "fa", "ti", "so", "pl"),
        facts=OPEN_TO_ALL,
        application="Just come along.",
    ),
    # ----------------------------------------------------------------------------- GP practices
    Service(
        "harbourside-gp",
        "harbourside-practice",
        "GP appointments and registration",
        "Family doctors and nurses for everyone living near the harbour. Anyone can register with a GP in "
        "England: you do not need proof of address, ID, an NHS number or immigration status. Seeing a GP is "
        "free. Evening appointments on Tuesdays and Saturday mornings.",
        ("primary-care",),
        (At("harbourside-surgery", ("MO-FR 08:00-18:30", "TU 18:30-20:00", "SA 09:00-12:00")),),
        "2026-10-28",
        PHONED,
        languages=("en", "ar", "ur", "bn"),
        interpreters=("fa", "ps", "ti", "so", "ku", "pl", "ro", "uk"),
        facts=OPEN_TO_ALL + (SAME_GENDER,),
        application="Fill in a registration form at reception or online. If you have no address, the practice "
        "address can be used.",
        contact=Contact("Leila Haddad", "Patient services manager", "harbourside-reception@example.org"),
    ),
    Service(
        "harbourside-nurse",
        "harbourside-practice",
        "Practice nurse clinic: vaccinations and health checks",
        "Nurses give adult and child vaccinations, cervical screening, blood pressure checks and new patient "
        "health checks. For patients registered at Harbourside Medical Practice.",
        ("vaccination", "primary-care"),
        (At("harbourside-surgery", ("MO-FR 09:00-16:00",)),),
        "2026-10-28",
        PHONED,
        languages=("en", "ar", "ur"),
        interpreters=("fa", "ps", "ti", "so"),
        facts=OPEN_TO_ALL + (SAME_GENDER,),
        application="Book at reception or by phone.",
    ),
    Service(
        "northgate-gp",
        "northgate-practice",
        "GP appointments and registration",
        "Family doctors, nurses and a clinical pharmacist for people living in Northgate, Millbrook and "
        "Hollins Green. Registration is open to everyone; you do not need documents. Closed for lunch "
        "13:00 to 14:00.",
        ("primary-care",),
        (At("northgate-health-centre", ("MO-FR 08:00-13:00", "MO-FR 14:00-18:30")),),
        "2026-06-30",
        PHONED,
        languages=("en", "pl", "ro"),
        interpreters=("ar", "uk", "ru", "fa"),
        facts=OPEN_TO_ALL,
        application="Register at reception or online.",
    ),
    Service(
        "northgate-same-day",
        "northgate-practice",
        "Same-day minor illness clinic",
        "For registered patients who are unwell today with a minor illness such as a sore throat, earache or "
        "a rash. Queue at the door; no appointment needed.",
        ("primary-care",),
        (At("northgate-health-centre", ("MO-FR 08:00-10:00",)),),
        "2026-06-30",
        PHONED,
        languages=("en", "pl", "ro"),
        facts=OPEN_TO_ALL,
    ),
    Service(
        "westfield-gp",
        "westfield-practice",
        "GP appointments and registration",
        "Family doctors for Westfield and Ashby Park, with women and men doctors. You can ask to see a doctor "
        "of the same gender. Registration is open to everyone, without documents. Late appointments on "
        "Thursday evenings.",
        ("primary-care",),
        (
            At(
                "westfield-surgery",
                ("MO,TU,TH,FR 08:00-18:30", "WE 08:00-13:00", "TH 18:30-20:30"),
            ),
        ),
        "2026-02-17",
        PHONED,
        languages=("en", "fa", "ps", "ku", "ur"),
        interpreters=("ar", "ti", "so", "uk"),
        facts=OPEN_TO_ALL + (SAME_GENDER,),
    ),
    Service(
        "westfield-womens-health",
        "westfield-practice",
        "Women's health clinic",
        "A women-only clinic with women doctors and nurses: contraception, periods, menopause, pregnancy "
        "worries and cervical screening. Also for women who have experienced female genital mutilation (FGM), "
        "in private and without judgement.",
        ("sexual-reproductive-health", "primary-care"),
        (At("westfield-surgery", ("WE 14:00-17:00",)),),
        "2026-02-17",
        PHONED,
        languages=("en", "fa", "ps", "ar"),
        interpreters=("so", "ti", "am", "ku"),
        facts=OPEN_TO_ALL + (SAME_GENDER,),
        gender="female",
        application="Book by phone, or ask at reception. You do not need to be registered at this practice.",
    ),
    Service(
        "saltings-gp",
        "saltings-way-practice",
        "GP practice for refugees, people seeking asylum and people without a home",
        "A GP practice with longer appointments, interpreters at every visit and a link worker who helps "
        "with housing, benefits and other services. For people who are seeking asylum, refugees, people who "
        "are homeless and people who have just arrived. No documents and no questions about immigration "
        "status.",
        ("primary-care", "mental-health"),
        (At("refugee-health-practice", ("MO-FR 09:00-17:00",)),),
        "2026-11-10",
        VISITED,
        languages=("en", "ar", "fa", "ti", "so", "ps"),
        interpreters=("ku", "ur", "uk", "fr", "am", "ro", "sq", "vi"),
        facts=OPEN_TO_ALL + (SAME_GENDER,),
        application="Walk in to register. You can also be referred by a support worker.",
        contact=Contact("Yonas Berhane", "Link worker", "saltings-link@example.org"),
    ),
    Service(
        "saltings-new-arrival",
        "saltings-way-practice",
        "New arrival health check",
        "A first health check for people who have recently arrived in the UK: general health, vaccinations "
        "you may have missed, and tests for TB, HIV and hepatitis if you want them. Free.",
        ("primary-care", "communicable-diseases", "vaccination"),
        (At("refugee-health-practice", ("TU,TH 09:30-12:30",)),),
        "2026-11-10",
        VISITED,
        languages=("en", "ar", "fa", "ti", "so", "ps"),
        interpreters=("ku", "ur", "uk", "fr", "am"),
        facts=OPEN_TO_ALL + (SAME_GENDER,),
    ),
    Service(
        "saltings-street-health",
        "saltings-way-practice",
        "Street health outreach (evenings)",
        "A doctor and a nurse visit the night shelter and the community kitchen in the evenings to see anyone "
        "who is unwell, including people sleeping rough. Free; no appointment and no papers needed.",
        ("primary-care", "medicines"),
        (
            At("lantern-house", ("MO 19:00-21:30",)),
            At("st-brendans", ("WE 18:00-20:00",)),
        ),
        "2026-09-25",
        OUTREACH,
        languages=("en", "pl", "ro"),
        interpreters=("ar", "fa", "ti"),
        facts=OPEN_TO_ALL,
        minimum_age=18,
    ),
    # ----------------------------------------------------------------------------- Pharmacies
    Service(
        "quayside-prescriptions",
        "quayside-pharmacy",
        "Prescriptions and medicines advice",
        "Collect prescriptions and get free advice from a pharmacist about medicines and minor illnesses. "
        "Open until 10pm every day except Sunday.",
        ("medicines",),
        (At("quayside-pharmacy", ("MO-SA 08:00-22:00", "SU 10:00-16:00")),),
        "2026-07-07",
        VISITED,
        languages=("en", "ur", "pa", "ar"),
        facts=(NO_STATUS_CHECK, NO_DOCUMENTS),
        costs=(Cost("NHS prescription charge", PRESCRIPTION_ITEM, "per item"),),
        fees="Prescriptions are free if you are under 16, 60 or over, pregnant, or have an HC2 certificate. "
        "Advice from the pharmacist is always free.",
    ),
    Service(
        "quayside-emergency-contraception",
        "quayside-pharmacy",
        "Free emergency contraception (morning-after pill)",
        "Free emergency contraception from the pharmacist, in a private room, with no appointment. It works "
        "best the sooner you take it after sex.",
        ("sexual-reproductive-health", "medicines"),
        (At("quayside-pharmacy", ("MO-SA 08:00-22:00", "SU 10:00-16:00")),),
        "2026-07-07",
        VISITED,
        languages=("en", "ur", "pa", "ar"),
        facts=OPEN_TO_ALL + (SAME_GENDER,),
    ),
    Service(
        "quayside-flu",
        "quayside-pharmacy",
        "Flu vaccination at the pharmacy",
        "Flu vaccines in autumn and winter. Free on the NHS for people aged 65 and over, pregnant women and "
        "people with some health conditions; others can pay.",
        ("vaccination",),
        (At("quayside-pharmacy", ("MO-FR 10:00-18:00",), valid_from="2026-09-01", valid_to="2027-02-28"),),
        "2026-09-03",
        VISITED,
        languages=("en", "ur", "pa"),
        facts=(NO_STATUS_CHECK, NO_DOCUMENTS),
        costs=(Cost("If you cannot have a free NHS flu vaccine", 18.00, "per vaccine"),),
    ),
    Service(
        "millbrook-prescriptions",
        "millbrook-pharmacy",
        "Prescriptions and medicines advice",
        "A friendly neighbourhood pharmacy. Staff speak Polish and Romanian.",
        ("medicines",),
        (At("millbrook-pharmacy", ("MO-FR 09:00-18:00", "SA 09:00-13:00")),),
        "2026-01-22",
        VISITED,
        languages=("en", "pl", "ro"),
        facts=(NO_STATUS_CHECK, NO_DOCUMENTS),
        costs=(Cost("NHS prescription charge", PRESCRIPTION_ITEM, "per item"),),
        fees="Prescriptions are free if you are under 16, 60 or over, pregnant, or have an HC2 certificate.",
    ),
    Service(
        "millbrook-blood-pressure",
        "millbrook-pharmacy",
        "Free blood pressure check",
        "A quick, free blood pressure check for adults aged 40 and over. High blood pressure usually has no "
        "symptoms, so it is worth checking.",
        ("primary-care",),
        (At("millbrook-pharmacy", ("MO-FR 09:00-18:00",)),),
        "2025-06-03",
        LEAFLET,
        languages=("en", "pl", "ro"),
        facts=OPEN_TO_ALL,
        minimum_age=40,
    ),
    # ----------------------------------------------------------------------------- Dental
    Service(
        "chapel-lane-nhs-dental",
        "chapel-lane-dental",
        "NHS dental check-ups and treatment",
        "Check-ups, fillings, extractions and dentures on the NHS. The practice keeps a waiting list for new "
        "adult NHS patients; put your name down by phone.",
        ("dental",),
        (At("chapel-lane-dental", ("MO-FR 08:30-17:30", "TH 17:30-19:30")),),
        "2026-05-05",
        PHONED,
        languages=("en", "ro", "pl", "es"),
        facts=(NO_STATUS_CHECK, NO_DOCUMENTS),
        costs=(
            Cost("Band 1: check-up, X-rays, scale and polish", DENTAL_BAND_1, "per course of treatment"),
            Cost("Band 2: fillings, root canal, extractions", DENTAL_BAND_2, "per course of treatment"),
            Cost("Band 3: crowns, dentures, bridges", DENTAL_BAND_3, "per course of treatment"),
        ),
        fees="Free if you are under 18, pregnant, had a baby in the last 12 months, or have an HC2 "
        "certificate.",
        alert="Waiting list for new adult NHS patients is about four months.",
    ),
    Service(
        "chapel-lane-children",
        "chapel-lane-dental",
        "Children's dental check-ups",
        "Free NHS dental check-ups and treatment for children and young people under 18. New child patients "
        "are taken straight away, with no waiting list.",
        ("dental",),
        (At("chapel-lane-dental", ("MO-FR 08:30-17:30",)),),
        "2026-05-05",
        PHONED,
        languages=("en", "ro", "pl", "es"),
        facts=OPEN_TO_ALL,
        maximum_age=17,
    ),
    Service(
        "open-smile-clinic",
        "open-smile",
        "Free dental clinic for people who cannot get an NHS dentist",
        "Volunteer dentists treat pain, infections and broken teeth in a mobile dental surgery parked outside "
        "the Welcome Centre, on the first Saturday of every month. For anyone who cannot get an NHS dentist, "
        "including people seeking asylum and people without a home. Free; no papers needed.",
        ("dental",),
        (At("welcome-centre", ("1SA 10:00-15:00",), "The dental van parks outside the Welcome Centre."),),
        "2026-10-05",
        VISITED,
        languages=("en", "ar"),
        interpreters=("fa", "ti", "ku", "ps"),
        facts=OPEN_TO_ALL,
        application="Arrive early: people are seen in the order they arrive, and those in most pain first.",
    ),
    # ----------------------------------------------------------------------------- Mental health
    Service(
        "safe-harbour-therapy",
        "safe-harbour",
        "Trauma therapy for refugees and survivors of torture",
        "Long-term therapy with therapists who understand what it is like to flee war, torture and "
        "persecution, with an interpreter you trust. For adults and families. Free, and nothing is shared "
        "with the Home Office.",
        ("mental-health",),
        (At("safe-harbour-centre", ("MO-TH 09:30-17:00",)),),
        "2026-08-27",
        PHONED,
        languages=("en", "ar", "fa"),
        interpreters=("ti", "ku", "ps", "so", "am", "fr", "uk", "sq"),
        facts=OPEN_TO_ALL + (SAME_GENDER,),
        application="Ask your GP, solicitor or support worker to refer you, or phone us yourself.",
        interpretation="Interpreters are booked for every session; you can ask for the same interpreter each "
        "time, or for one who is not from your community.",
    ),
    Service(
        "safe-harbour-womens-group",
        "safe-harbour",
        "Women's healing group",
        "A weekly group for women who have survived war or violence: gentle activities, sewing, walks and "
        "talking with other women, led by a woman therapist. Children under 5 can come to the crèche.",
        ("mental-health", "social-support"),
        (At("safe-harbour-centre", ("WE 10:30-12:30",)),),
        "2026-08-27",
        PHONED,
        languages=("en", "ar", "fa", "ti"),
        facts=OPEN_TO_ALL,
        gender="female",
    ),
    Service(
        "safe-harbour-young-people",
        "safe-harbour",
        "Therapy for children and young people",
        "Play and talking therapy for children and teenagers aged 8 to 17 who have lived through war, "
        "violence or a dangerous journey, including those who arrived alone. After school.",
        ("mental-health",),
        (At("safe-harbour-centre", ("MO-TH 15:30-18:30",)),),
        "2026-08-27",
        PHONED,
        languages=("en", "ar", "fa"),
        interpreters=("ti", "ps", "ku", "so", "am"),
        facts=OPEN_TO_ALL,
        minimum_age=8,
        maximum_age=17,
        application="Referral by a social worker, school, GP or carer.",
    ),
    Service(
        "minds-counselling",
        "minds-together",
        "Low-cost counselling",
        "Weekly one-to-one counselling with a qualified counsellor, for up to 12 weeks. You pay what you can "
        "afford; nobody is turned away because they cannot pay. Daytime and evening sessions.",
        ("mental-health",),
        (At("wellbeing-hub", ("MO-FR 10:00-20:00",)),),
        "2026-03-03",
        WEBSITE,
        languages=("en", "pl", "ur", "es"),
        facts=(NO_STATUS_CHECK, NO_DOCUMENTS),
        costs=(
            Cost("If you have a low income or no income", 5.00, "per session"),
            Cost("Standard fee", 40.00, "per session"),
        ),
        fees="Pay between £5 and £40 a session, depending on what you can afford. Free for people receiving "
        "asylum support.",
        minimum_age=18,
    ),
    Service(
        "minds-wellbeing-cafe",
        "minds-together",
        "Wellbeing café",
        "A friendly drop-in on Saturdays: tea, cake, board games and people who understand. For anyone "
        "feeling lonely, anxious or low. Free.",
        ("social-support", "mental-health"),
        (At("wellbeing-hub", ("SA 11:00-14:00",)),),
        "2026-03-03",
        WEBSITE,
        facts=OPEN_TO_ALL,
    ),
    Service(
        "minds-mens-group",
        "minds-together",
        "Men's talking group",
        "Men meet on Thursday evenings to talk, or just listen, about whatever is on their minds: work, "
        "money, family, being far from home. Free, confidential, no need to book.",
        ("mental-health", "social-support"),
        (At("wellbeing-hub", ("TH 18:30-20:30",)),),
        "2026-06-04",
        LEAFLET,
        languages=("en", "pl"),
        facts=OPEN_TO_ALL,
        gender="male",
        minimum_age=18,
    ),
    Service(
        "minds-befriending",
        "minds-together",
        "Befriending for older people",
        "A volunteer phones or visits you every week for a chat. For people aged 60 and over who feel lonely "
        "or cut off.",
        ("social-support",),
        (At("wellbeing-hub", ("MO-FR 10:00-16:00",)),),
        "2025-12-09",
        PHONED,
        languages=("en", "pl", "ur"),
        facts=OPEN_TO_ALL,
        minimum_age=60,
    ),
    Service(
        "youth-counselling",
        "open-door-youth",
        "Counselling for young people",
        "Free, confidential counselling for young people aged 11 to 25, after school and college. Talk about "
        "anything: stress, family, friends, school, identity, or things that happened before you came here.",
        ("mental-health",),
        (At("youth-project", ("MO-TH 15:30-19:30",)),),
        "2026-07-16",
        PHONED,
        languages=("en", "ar"),
        interpreters=("fa", "ps", "ti", "ku", "so"),
        facts=OPEN_TO_ALL + (SAME_GENDER,),
        minimum_age=11,
        maximum_age=25,
    ),
    Service(
        "youth-drop-in",
        "open-door-youth",
        "Youth drop-in",
        "Somewhere warm and safe to go on Friday evenings and Saturday afternoons: games, music, food and "
        "youth workers to talk to. For ages 13 to 19.",
        ("social-support",),
        (At("youth-project", ("FR 16:00-21:00", "SA 12:00-17:00")),),
        "2026-07-16",
        PHONED,
        facts=OPEN_TO_ALL,
        minimum_age=13,
        maximum_age=19,
    ),
    Service(
        "youth-young-refugees",
        "open-door-youth",
        "Young refugees' club",
        "A weekly club for young people aged 14 to 21 who came to the UK as refugees or seeking asylum, "
        "including those who arrived on their own: football, English practice, trips and help with college.",
        ("social-support", "language-classes"),
        (At("youth-project", ("TU 17:00-19:30",)),),
        "2025-04-29",
        OUTREACH,
        languages=("en", "ar", "ti", "ps", "so", "fa"),
        facts=OPEN_TO_ALL,
        minimum_age=14,
        maximum_age=21,
    ),
    # ----------------------------------------------------------------------------- Maternity and babies
    Service(
        "birth-companion",
        "birth-companions",
        "Birth companion (doula) support",
        "A trained volunteer stays with you through pregnancy, labour and the first weeks with your baby, "
        "so you are not alone. For women who are pregnant and seeking asylum, refugees or without family "
        "nearby. Free.",
        ("maternity",),
        (At("kingsley-childrens-centre", (), "Support happens at hospital appointments and at home."),),
        "2026-06-18",
        EMAIL,
        languages=("en", "ar", "fa", "ti", "am", "so"),
        interpreters=("ur", "ku", "fr"),
        facts=OPEN_TO_ALL,
        gender="female",
        application="Phone us or ask your midwife to refer you, at any stage of pregnancy.",
        phone="07700 900101",
    ),
    Service(
        "birth-companions-group",
        "birth-companions",
        "Pregnancy and new mums' group",
        "A weekly group for pregnant women and mothers with babies under one: meet others, ask a midwife, "
        "and share food. Free.",
        ("maternity", "social-support"),
        (At("kingsley-childrens-centre", ("TH 10:00-12:00",)),),
        "2026-06-18",
        EMAIL,
        languages=("en", "ar", "fa", "ti"),
        facts=OPEN_TO_ALL,
        gender="female",
    ),
    Service(
        "baby-bank-essentials",
        "baby-bank",
        "Baby clothes, nappies and equipment",
        "Free bundles of clothes, nappies, formula, prams, cots and car seats for families with children "
        "under 5. You need a referral from a midwife, health visitor or support worker.",
        ("maternity", "social-support", "food"),
        (At("baby-bank", ("TU,SA 10:00-13:00",)),),
        "2026-04-23",
        VISITED,
        facts=(FREE, NO_STATUS_CHECK),
        documents=("A referral from a midwife, health visitor, social worker or support worker",),
    ),
    # ----------------------------------------------------------------------------- Legal advice
    Service(
        "law-centre-immigration",
        "law-centre",
        "Immigration and asylum legal advice",
        "Free advice and representation from solicitors for asylum claims, appeals, family reunion and "
        "Home Office letters. Drop in on Thursday evenings, or phone for an appointment.",
        ("legal-advice",),
        (At("law-centre", ("MO-FR 09:30-17:00", "TH 17:00-19:30")),),
        "2026-10-09",
        PHONED,
        languages=("en", "fr", "ar"),
        interpreters=("fa", "ps", "ti", "ku", "so", "ur", "uk", "am", "sq"),
        facts=(FREE,),
        application="Bring every letter you have from the Home Office and any ID document you have. "
        "If you have nothing, come anyway.",
    ),
    Service(
        "law-centre-housing",
        "law-centre",
        "Housing and homelessness legal advice",
        "Free legal help if you are being evicted, your landlord will not do repairs, or the council has "
        "refused to help you with housing.",
        ("legal-advice", "housing"),
        (At("law-centre", ("MO,WE 10:00-16:00",)),),
        "2026-10-09",
        PHONED,
        interpreters=("ar", "fa", "pl", "ro", "uk"),
        facts=(FREE, NO_STATUS_CHECK),
    ),
    Service(
        "law-centre-work",
        "law-centre",
        "Work rights and unpaid wages advice",
        "Free evening advice if your employer has not paid you, takes your documents, or treats you unfairly. "
        "Your immigration status does not stop you getting advice.",
        ("legal-advice",),
        (At("law-centre", ("WE 18:00-20:00",)),),
        "2026-01-14",
        LEAFLET,
        languages=("en", "ro", "pl"),
        interpreters=("bg", "pt", "ar", "es"),
        facts=(FREE, NO_STATUS_CHECK, NO_DOCUMENTS),
    ),
    Service(
        "law-centre-line",
        "law-centre",
        "Law Centre advice line",
        "Phone for quick legal advice or to book an appointment. Free.",
        ("legal-advice",),
        (At("law-centre-line", ("MO-FR 10:00-13:00",)),),
        "2026-10-09",
        PHONED,
        interpreters=("ar", "fa", "ps", "ti", "uk", "pl"),
        facts=(FREE, NO_DOCUMENTS),
        phone="01632 960217",
    ),
    Service(
        "northgate-immigration-drop-in",
        "northgate-immigration",
        "Saturday immigration advice drop-in",
        "Free immigration advice on Saturday mornings from regulated advisers: visas, asylum, leave to "
        "remain, citizenship. No appointment and no papers needed to ask a question.",
        ("legal-advice",),
        (At("northgate-community-centre", ("SA 10:00-13:00",)),),
        "2026-09-12",
        VISITED,
        languages=("en", "ar", "ku", "fa"),
        interpreters=("ps", "ti", "so"),
        facts=(FREE, NO_DOCUMENTS),
    ),
    Service(
        "northgate-family-reunion",
        "northgate-immigration",
        "Family reunion applications for refugees",
        "If you have refugee status or humanitarian protection, we help you apply for your partner and "
        "children to join you in the UK. Free. By appointment only.",
        ("legal-advice",),
        (At("northgate-community-centre", (), "By appointment only."),),
        "2026-09-12",
        VISITED,
        languages=("en", "ar", "ku", "fa"),
        interpreters=("ti", "so", "ps", "am"),
        facts=(FREE,),
        documents=("Your refugee status or humanitarian protection decision letter",),
        application="Phone to book an appointment.",
    ),
    Service(
        "northgate-eu-settlement",
        "northgate-immigration",
        "EU Settlement Scheme help",
        "Free help for people from EU countries with settled or pre-settled status: late applications, "
        "upgrading to settled status, and proving your status to an employer or landlord.",
        ("legal-advice",),
        (At("millbrook-library", ("TU 14:00-18:00",)),),
        "2025-03-18",
        LEAFLET,
        languages=("en", "pl", "ro", "es", "pt"),
        facts=(FREE,),
    ),
    Service(
        "kingsley-rao-immigration",
        "kingsley-rao",
        "Immigration and asylum solicitors",
        "Solicitors for visa applications, asylum claims and appeals. Legal aid (free legal help) is "
        "available for asylum cases if your income is low; other work is paid.",
        ("legal-advice",),
        (At("kingsley-rao-office", ("MO-FR 09:00-17:30",)),),
        "2025-02-06",
        WEBSITE,
        languages=("en", "ur", "pa", "hi", "bn"),
        interpreters=("ar", "fa"),
        costs=(Cost("First consultation (not legal aid)", 120.00, "per one-hour meeting"),),
        documents=("Photo ID: passport, biometric residence permit or Home Office ARC card",),
        fees="Legal aid is free for eligible asylum cases. Other immigration work is charged; ask for a quote.",
        application="Phone to book. Bring all your Home Office letters.",
    ),
    Service(
        "advice-centre-drop-in",
        "advice-centre",
        "Advice drop-in: benefits, debt, housing and forms",
        "Free, independent advice from trained advisers. We help with benefits, debts, bills, housing, work "
        "problems and filling in forms.",
        ("social-support", "legal-advice"),
        (At("advice-centre", ("MO,TU,TH 10:00-15:00",)),),
        "2026-08-14",
        WEBSITE,
        languages=("en", "pl", "ur"),
        interpreters=("ar", "fa", "ro", "uk"),
        facts=OPEN_TO_ALL,
    ),
    Service(
        "advice-centre-line",
        "advice-centre",
        "Advice phone line",
        "Free phone advice on benefits, debt, housing and work. Ask for an interpreter if you need one.",
        ("social-support", "legal-advice"),
        (At("advice-line", ("MO-FR 09:00-17:00",)),),
        "2026-08-14",
        WEBSITE,
        interpreters=("ar", "fa", "pl", "ro", "uk", "ur"),
        facts=OPEN_TO_ALL,
        phone="0808 157 0300",
    ),
    Service(
        "advice-centre-library",
        "advice-centre",
        "Advice at Millbrook Library",
        "An adviser from Fairhaven Advice Centre at Millbrook Library every Wednesday morning. Free.",
        ("social-support", "legal-advice"),
        (At("millbrook-library", ("WE 10:00-13:00",)),),
        "2026-08-14",
        WEBSITE,
        languages=("en", "pl"),
        facts=OPEN_TO_ALL,
    ),
    # ----------------------------------------------------------------------------- Food
    Service(
        "food-bank-parcels",
        "food-bank",
        "Emergency food parcels",
        "Three days of food for you and your family, with toiletries and nappies if you need them. You need a "
        "food bank voucher; if you do not have one, come anyway and a volunteer will help you get one.",
        ("food",),
        (
            At("northgate-methodist", ("TU,FR 12:00-14:30",)),
            At("southmoor-hall", ("WE 10:00-12:30",)),
            At("eastcliff-centre", ("SA 10:00-12:00",)),
        ),
        "2026-10-23",
        PHONED,
        languages=("en", "pl"),
        facts=(FREE, NO_STATUS_CHECK),
        documents=("A food bank voucher from a referral agency (GP, school, advice centre, support worker)",),
        application="Bring your voucher. Volunteers can give you a voucher on the day if you have none.",
    ),
    Service(
        "st-brendans-meals",
        "st-brendans",
        "Free hot meals",
        "A free hot meal three evenings a week and Sunday lunch. Everyone is welcome; nobody asks questions. "
        "Halal and vegetarian options every time.",
        ("food",),
        (At("st-brendans", ("MO,WE,FR 18:00-20:00", "SU 12:30-14:30")),),
        "2026-11-15",
        VISITED,
        languages=("en", "pl", "ro"),
        facts=OPEN_TO_ALL,
    ),
    Service(
        "st-brendans-showers",
        "st-brendans",
        "Showers, laundry and clothes",
        "Take a hot shower, wash your clothes and choose clean clothes and shoes. Free.",
        ("social-support",),
        (At("st-brendans", ("TU,TH 09:30-12:00",)),),
        "2026-11-15",
        VISITED,
        facts=OPEN_TO_ALL,
    ),
    Service(
        "harbour-pantry-shop",
        "harbour-pantry",
        "Community pantry",
        "Join the pantry and choose at least ten items of food, fruit and vegetables each week for a small "
        "fixed price, worth much more in the shops.",
        ("food",),
        (At("harbour-pantry", ("TH 14:00-18:30", "SA 10:00-13:00")),),
        "2025-05-27",
        LEAFLET,
        languages=("en", "so", "ar"),
        facts=(NO_STATUS_CHECK, NO_DOCUMENTS),
        costs=(Cost("Weekly shop", 4.00, "per visit"),),
    ),
    Service(
        "gurdwara-langar",
        "gurdwara",
        "Langar: free community meal",
        "Free vegetarian meals served to anyone, every day, in the Gurdwara's community kitchen. You do not "
        "need to be Sikh. Please cover your head; scarves are provided.",
        ("food",),
        (At("gurdwara", ("MO-SA 12:00-14:00", "SU 10:00-16:00")),),
        "2025-01-19",
        VISITED,
        languages=("en", "pa", "hi", "ur"),
        facts=OPEN_TO_ALL,
    ),
    Service(
        "riverside-mosque-food",
        "riverside-mosque",
        "Friday food parcels",
        "Free bags of food (rice, lentils, oil, tins, fruit and vegetables) every Friday afternoon, for anyone "
        "who needs them, of any faith or none. No referral, no questions. Use the community room entrance "
        "from the car park.",
        ("food",),
        (At("riverside-mosque", ("FR 14:00-16:00",)),),
        "2026-11-06",
        VISITED,
        languages=("en", "ar", "ur", "bn", "so"),
        facts=OPEN_TO_ALL,
    ),
    # ----------------------------------------------------------------------------- Housing and shelter
    Service(
        "council-housing-options",
        "council",
        "Housing advice and homelessness help",
        "If you are homeless or might lose your home, the council's housing team will assess your situation "
        "and may offer emergency accommodation. Some people cannot get council housing because of their "
        "immigration status; ask the Law Centre for advice first if you are unsure.",
        ("housing",),
        (At("civic-centre", ("MO-FR 09:00-17:00",), "Housing Options, ground floor."),),
        "2026-07-21",
        WEBSITE,
        interpreters=("ar", "fa", "pl", "ro", "uk", "ur", "so", "ti"),
        facts=(FREE,),
        documents=(
            "Proof of identity",
            "Proof of your immigration status, such as a biometric residence permit or eVisa share code",
            "Any letter telling you to leave your home",
        ),
        status_check="The council checks whether you are eligible for housing help, and that depends on your "
        "immigration status (Housing Act 1996, sections 160ZA and 185).",
    ),
    Service(
        "council-homelessness-line",
        "council",
        "Emergency homelessness line (evenings, nights and weekends)",
        "If you have nowhere safe to sleep tonight and the council offices are closed, phone this line. "
        "It is answered from 5pm to 9am on weekdays and all weekend.",
        ("housing", "emergency"),
        (
            At(
                "homelessness-line",
                ("MO-FR 17:00-09:00", "SA,SU 00:00-23:59", "MO 00:00-09:00"),
            ),
        ),
        "2026-07-21",
        WEBSITE,
        interpreters=("ar", "fa", "pl", "ro", "uk", "ur"),
        facts=(FREE, NO_DOCUMENTS),
        phone="0808 157 0400",
    ),
    Service(
        "council-conversation-cafe",
        "council",
        "English conversation café",
        "Practise speaking English with friendly volunteers over tea on Saturday mornings. All levels; free; "
        "no need to book.",
        ("language-classes",),
        (At("central-library", ("SA 10:30-12:00",)),),
        "2026-10-31",
        VISITED,
        facts=OPEN_TO_ALL,
    ),
    Service(
        "council-digital-help",
        "council",
        "Free computers and digital help",
        "Use a computer and the internet for free, print documents, and get help from library staff with "
        "emails, online forms and video calls.",
        ("social-support",),
        (
            At("central-library", ("MO-FR 09:00-19:00", "SA 09:00-16:00")),
            At("millbrook-library", ("TU,TH 10:00-17:00",)),
        ),
        "2026-10-31",
        WEBSITE,
        facts=OPEN_TO_ALL,
        application="Just ask at the desk. You do not need to be a library member to use a computer.",
    ),
    Service(
        "lantern-night-shelter",
        "lantern",
        "Lantern Night Shelter",
        "Emergency beds for adults sleeping rough, every night of the year, with an evening meal and "
        "breakfast. Separate room for women. No papers needed, and nobody asks about immigration status.",
        ("housing",),
        (At("lantern-house", ("DAILY 20:00-08:00",), "Doors open at 8pm; last entry 11pm."),),
        "2026-11-18",
        VISITED,
        languages=("en", "pl", "ro", "ar"),
        interpreters=("fa", "ti", "ku"),
        facts=OPEN_TO_ALL,
        minimum_age=18,
        application="Come to the door from 8pm. If the shelter is full, staff will phone the emergency "
        "homelessness line with you.",
    ),
    Service(
        "lantern-day-centre",
        "lantern",
        "Lantern Day Centre: breakfast, showers and advice",
        "Free breakfast, showers, a phone to use and support workers who can help with housing, benefits and "
        "health. For adults who are homeless or in insecure housing.",
        ("food", "social-support", "housing"),
        (At("lantern-house", ("MO-FR 08:00-12:00",)),),
        "2026-11-18",
        VISITED,
        languages=("en", "pl", "ro"),
        facts=OPEN_TO_ALL,
        minimum_age=18,
    ),
    Service(
        "winter-night-shelter",
        "churches-winter-shelter",
        "Winter night shelter",
        "From December to March, churches and a mosque take turns to give a warm bed, supper and breakfast "
        "to people with nowhere to sleep. Meet at St Mary's Church each evening; a minibus takes everyone to "
        "that night's venue.",
        ("housing", "food"),
        (
            At(
                "st-marys",
                ("DAILY 19:30-07:30",),
                "Meeting point. The bed is at a different venue each night.",
                valid_from="2026-12-01",
                valid_to="2027-03-31",
            ),
        ),
        "2026-10-12",
        EMAIL,
        languages=("en",),
        interpreters=("ar", "fa", "pl"),
        facts=OPEN_TO_ALL,
        minimum_age=18,
        application="Phone by 5pm to check there is a bed, or come to St Mary's at 7:30pm.",
        phone="07700 900102",
    ),
    Service(
        "womens-refuge",
        "womens-aid",
        "Women's refuge",
        "Safe, confidential housing for women, and their children, escaping domestic abuse. Staff are there "
        "day and night. Women with no recourse to public funds are considered; please call to talk about "
        "your situation.",
        ("housing",),
        (At("womens-refuge", (), "Admissions are arranged through the 24-hour helpline."),),
        "2026-09-29",
        PHONED,
        languages=("en", "ur", "ar"),
        interpreters=("fa", "ps", "so", "ti", "pl", "ro", "uk"),
        facts=OPEN_TO_ALL + (SAME_GENDER,),
        gender="female",
        minimum_age=16,
        application="Call the 24-hour helpline on 0808 157 0200. We will arrange to meet you somewhere safe.",
        phone="0808 157 0200",
    ),
    Service(
        "womens-aid-helpline",
        "womens-aid",
        "Domestic abuse helpline (24 hours)",
        "Free, confidential help for women living with domestic abuse, any time of day or night. We listen, "
        "help you plan how to stay safe and can find you a refuge place.",
        ("social-support", "housing"),
        (At("womens-aid-helpline", ("24/7",)),),
        "2026-09-29",
        PHONED,
        interpreters=("ar", "fa", "ps", "ur", "so", "ti", "pl", "ro", "uk", "bn"),
        facts=OPEN_TO_ALL,
        gender="female",
        phone="0808 157 0200",
    ),
    Service(
        "womens-aid-drop-in",
        "womens-aid",
        "Domestic abuse advice drop-in",
        "Talk privately with a Women's Aid worker at the Welcome Centre every Tuesday morning. Help with "
        "safety, housing, immigration worries and legal protection. Children welcome.",
        ("social-support", "legal-advice"),
        (At("welcome-centre", ("TU 10:00-13:00",), "Ask at reception for the Tuesday women's room."),),
        "2026-09-29",
        PHONED,
        languages=("en", "ar", "ur"),
        interpreters=("fa", "ps", "so", "ti"),
        facts=OPEN_TO_ALL,
        gender="female",
    ),
    Service(
        "safe-passage-safe-house",
        "safe-passage",
        "Safe house for survivors of trafficking",
        "Safe, confidential housing and support for adults who have escaped trafficking or forced labour, "
        "while you recover and decide what to do next. You do not need to go to the police to get help.",
        ("housing",),
        (At("safe-house", (), "Places are arranged by phone; staff are on call day and night."),),
        "2026-08-05",
        PHONED,
        languages=("en", "ro", "pl"),
        interpreters=("sq", "vi", "bg", "ar", "fa", "ti", "zh"),
        facts=OPEN_TO_ALL,
        minimum_age=18,
        phone="07700 900103",
    ),
    Service(
        "safe-passage-support",
        "safe-passage",
        "Support for people who have been trafficked or forced to work",
        "If someone controls your work, your money or your documents, or you are forced to work to pay a "
        "debt, talk to us in confidence. We help with safety, health, housing and legal advice. Free.",
        ("social-support", "legal-advice"),
        (At("safe-passage-office", ("MO-FR 09:00-17:00",)),),
        "2026-08-05",
        PHONED,
        languages=("en", "ro", "pl"),
        interpreters=("sq", "vi", "bg", "ar", "fa", "ti", "zh"),
        facts=OPEN_TO_ALL,
        phone="07700 900103",
    ),
    Service(
        "open-homes-hosting",
        "open-homes",
        "Free room with a volunteer host",
        "A spare room in the home of a volunteer host, for people seeking asylum who have nowhere to stay "
        "and no support from the Home Office, for a few weeks or months. Free. Ask at the Welcome Centre.",
        ("housing",),
        (At("welcome-centre", (), "Referrals are made through the Welcome Centre's advisers."),),
        "2026-04-02",
        EMAIL,
        facts=OPEN_TO_ALL,
        minimum_age=18,
        application="Referral by a support worker or adviser.",
    ),
    # ----------------------------------------------------------------------------- Language classes
    Service(
        "college-esol",
        "college",
        "English classes for adults (ESOL)",
        "English for Speakers of Other Languages courses from beginner to advanced, in the day or evening. "
        "Courses lead to a certificate.",
        ("language-classes",),
        (
            At("college-westfield", ("MO-TH 09:30-12:30",)),
            At("college-town", ("MO,WE 18:00-20:30",)),
        ),
        "2026-08-28",
        WEBSITE,
        costs=(Cost("Full course fee", 450.00, "per year"),),
        documents=("Passport, biometric residence permit or Home Office letter (to check if the course is free)",),
        fees="Free if you get benefits or have refugee status, or have been waiting for an asylum decision "
        "for 6 months or more. Otherwise the full fee applies.",
        minimum_age=19,
        application="Come to an enrolment and assessment session.",
    ),
    Service(
        "college-esol-16-18",
        "college",
        "English classes for 16 to 18 year olds",
        "Full-time English, maths and life skills for young people aged 16 to 18 who are new to the UK, "
        "including those who came alone. Free.",
        ("language-classes",),
        (At("college-westfield", ("MO-FR 09:30-15:00",)),),
        "2026-08-28",
        WEBSITE,
        facts=(FREE, NO_STATUS_CHECK),
        minimum_age=16,
        maximum_age=18,
    ),
    Service(
        "welcome-centre-english",
        "welcome-centre",
        "Free beginner English classes",
        "Small, friendly English classes for beginners, taught by volunteers. There is a crèche for children "
        "under 5. Start any week.",
        ("language-classes",),
        (At("welcome-centre", ("MO,WE 10:00-12:00",)),),
        "2026-10-13",
        VISITED,
        languages=("en", "ar", "fa"),
        facts=OPEN_TO_ALL,
    ),
    # ----------------------------------------------------------------------------- Social support
    Service(
        "welcome-centre-drop-in",
        "welcome-centre",
        "Welcome Centre drop-in",
        "Come in for advice on asylum support, housing, health and Home Office letters, use the phone and "
        "computers, and pick up clothes and toiletries. Everyone is welcome.",
        ("social-support",),
        (At("welcome-centre", ("TU,TH 10:00-15:00", "SA 11:00-14:00")),),
        "2026-10-13",
        VISITED,
        languages=("en", "ar", "fa", "ti", "ku", "fr"),
        interpreters=("ps", "so", "am", "uk", "sq"),
        facts=OPEN_TO_ALL,
        contact=Contact("Grace Mensah", "Drop-in coordinator", "welcome-dropin@example.org"),
    ),
    Service(
        "welcome-centre-lunch",
        "welcome-centre",
        "Community lunch",
        "A free hot lunch cooked by volunteers from many countries, twice a week. Halal and vegetarian.",
        ("food", "social-support"),
        (At("welcome-centre", ("TU,TH 12:30-14:00",)),),
        "2026-10-13",
        VISITED,
        languages=("en", "ar", "fa", "ti"),
        facts=OPEN_TO_ALL,
    ),
    Service(
        "welcome-centre-asylum-support",
        "welcome-centre",
        "Help with asylum support and Home Office letters",
        "Trained volunteers help you apply for asylum support (housing and money while your claim is "
        "decided), explain Home Office letters and refer you to a solicitor. Free.",
        ("social-support", "legal-advice"),
        (At("welcome-centre", ("TU 10:00-13:00", "TH 13:00-16:00")),),
        "2026-10-13",
        VISITED,
        languages=("en", "ar", "fa", "fr"),
        interpreters=("ti", "ku", "ps", "so", "am"),
        facts=(FREE, NO_DOCUMENTS),
    ),
    Service(
        "arabic-family-support",
        "arabic-association",
        "لقاءات الدعم النفسي والاجتماعي للعائلات",
        "لقاءات أسبوعية للعائلات القادمة حديثاً إلى فيرهيفن. نتحدث عن الضغوط والحنين إلى الوطن وتربية "
        "الأطفال في بلد جديد، مع مرشدة مدرَّبة تتحدث العربية. الخدمة مجانية ولا نسأل عن وضع الإقامة. المكان "
        "قريب من موقف الحافلات رقم 5 في شارع ميلبروك.",
        ("social-support", "mental-health"),
        (At("arabic-association", ("SA 14:00-16:30",)),),
        "2026-05-30",
        PHONED,
        languages=("ar", "en"),
        facts=OPEN_TO_ALL,
        application="تعال مباشرة دون موعد، أو اتصل بنا لنحجز لك مكاناً.",
        content_language="ar",
        alternate_name="Family support meetings (in Arabic)",
    ),
    Service(
        "arabic-womens-english",
        "arabic-association",
        "دروس اللغة الإنجليزية للنساء مع رعاية للأطفال",
        "دروس مجانية في اللغة الإنجليزية للنساء، من المستوى المبتدئ. المعلمات نساء، وتوجد غرفة لرعاية "
        "الأطفال الصغار أثناء الدرس. لا تحتاجين إلى أي أوراق للتسجيل.",
        ("language-classes",),
        (At("arabic-association", ("MO,WE 10:00-12:00",)),),
        "2026-05-30",
        PHONED,
        languages=("ar", "en"),
        facts=OPEN_TO_ALL,
        gender="female",
        content_language="ar",
        alternate_name="English classes for women, with childcare (in Arabic)",
    ),
    Service(
        "ukrainian-advice",
        "ukrainian-hub",
        "Консультації та допомога з документами",
        "Безкоштовні консультації українською мовою для людей, які приїхали до Фейргейвена. Допомагаємо "
        "заповнювати форми, записатися до лікаря (GP), знайти житло та зрозуміти листи від місцевої ради. "
        "Приходьте без запису в суботу зранку.",
        ("social-support",),
        (At("eastcliff-centre", ("SA 10:00-14:00",)),),
        "2026-09-06",
        VISITED,
        languages=("uk", "ru", "en"),
        facts=OPEN_TO_ALL,
        content_language="uk",
        alternate_name="Advice and help with forms (in Ukrainian)",
    ),
    Service(
        "ukrainian-english-club",
        "ukrainian-hub",
        "Розмовний клуб англійської мови",
        "Невимушені вечірні зустрічі, щоб практикувати англійську. Підходить для всіх рівнів. Безкоштовно, "
        "чай і печиво включено.",
        ("language-classes",),
        (At("eastcliff-centre", ("WE 18:30-20:00",)),),
        "2026-09-06",
        VISITED,
        languages=("uk", "en"),
        facts=OPEN_TO_ALL,
        content_language="uk",
        alternate_name="English conversation club (in Ukrainian)",
    ),
    Service(
        "afghan-family-help",
        "afghan-association",
        "کمک به خانواده‌های تازه‌وارد",
        "داوطلبان ما به زبان فارسی (دری) و پشتو به خانواده‌های تازه‌وارد کمک می‌کنند: ثبت‌نام نزد پزشک "
        "عمومی (GP)، ثبت‌نام فرزندان در مدرسه، و همراهی در قرار ملاقات‌ها. این خدمت رایگان است و ما درباره "
        "وضعیت اقامت شما سؤال نمی‌کنیم.",
        ("social-support",),
        (At("westfield-rooms", ("FR 10:00-14:00",)),),
        "2026-04-17",
        PHONED,
        languages=("fa", "ps", "en"),
        facts=OPEN_TO_ALL,
        content_language="fa",
        alternate_name="Help for newly arrived families (in Dari/Farsi)",
    ),
    Service(
        "afghan-appointment-buddies",
        "afghan-association",
        "Appointment buddies",
        "A volunteer who speaks Dari or Pashto can go with you to the doctor, the hospital, the school or the "
        "council, and help you find your way. This is friendly help, not professional interpreting.",
        ("social-support",),
        (At("westfield-rooms", ("MO-FR 09:00-17:00",), "Phone to book a buddy at least two days ahead."),),
        "2025-08-11",
        PHONED,
        languages=("fa", "ps", "en"),
        facts=OPEN_TO_ALL,
        phone="07700 900104",
    ),
    Service(
        "somali-womens-wellbeing",
        "somali-womens-group",
        "Women's health and wellbeing group",
        "Somali women meet every Thursday to talk about health, family and life in Fairhaven, with visiting "
        "speakers such as midwives and nurses. Tea and food. Children welcome.",
        ("social-support", "mental-health"),
        (At("ashby-park-centre", ("TH 10:00-12:30",)),),
        "2026-02-26",
        OUTREACH,
        languages=("so", "en", "ar"),
        facts=OPEN_TO_ALL,
        gender="female",
    ),
    Service(
        "habesha-sunday",
        "habesha-community",
        "Sunday community meal and support",
        "A shared meal every Sunday afternoon for people from Eritrea, Ethiopia and anyone else who wants to "
        "come, with volunteers who can help read letters and fill in forms.",
        ("food", "social-support"),
        (At("hollins-green-centre", ("SU 13:00-17:00",)),),
        "2025-07-20",
        OUTREACH,
        languages=("ti", "am", "en"),
        facts=OPEN_TO_ALL,
    ),
    Service(
        "positive-peer-support",
        "positive-fairhaven",
        "Support for people living with HIV",
        "Peer support, advice on treatment and benefits, and an evening group for people living with HIV. "
        "HIV treatment on the NHS is free for everyone in England, whatever their immigration status.",
        ("communicable-diseases", "social-support"),
        (At("positive-fairhaven", ("WE 17:30-19:30", "MO-FR 10:00-16:00")),),
        "2026-05-12",
        PHONED,
        languages=("en", "fr", "pt", "sw"),
        interpreters=("ar", "ln", "am"),
        facts=OPEN_TO_ALL,
    ),
    Service(
        "positive-rapid-tests",
        "positive-fairhaven",
        "Free rapid HIV and hepatitis C tests",
        "A free, confidential finger-prick test for HIV and hepatitis C with the result in 15 minutes. "
        "No appointment; nobody needs to know why you came.",
        ("communicable-diseases", "sexual-reproductive-health"),
        (At("positive-fairhaven", ("FR 12:00-16:00",)),),
        "2025-09-30",
        LEAFLET,
        languages=("en", "fr", "pt"),
        facts=OPEN_TO_ALL,
    ),
    Service(
        "age-friendly-lunch",
        "age-friendly",
        "Lunch club for people aged 60 and over",
        "A two-course lunch, company and activities every Wednesday. Transport can be arranged for people "
        "who cannot get there on their own.",
        ("food", "social-support"),
        (At("southmoor-hall", ("WE 12:00-14:00",)),),
        "2026-01-08",
        PHONED,
        facts=(NO_STATUS_CHECK, NO_DOCUMENTS),
        costs=(Cost("Lunch", 3.50, "per meal"),),
        minimum_age=60,
    ),
    # ----------------------------------------------------------------------------- Community activities
    # For social prescribing (issue 11): each carries the facts a link worker searches by.
    Service(
        "arabic-sewing-circle",
        "arabic-association",
        "Women's sewing circle",
        "Sew, mend and make clothes together over Arabic coffee, for women only. Machines and fabric are "
        "provided; beginners are welcome. Children can play in the next room with a carer.",
        ("arts-culture",),
        (At("northgate-community-centre", ("TH 10:00-12:30",)),),
        "2026-11-02",
        VISITED,
        languages=("ar", "en"),
        facts=OPEN_TO_ALL + (CHILDCARE,),
        gender="female",
        faith="all faiths welcome",
    ),
    Service(
        "youth-football",
        "open-door-youth",
        "Free football for young men",
        "Five-a-side football every Monday evening for young men aged 16 to 25, coached by volunteers. "
        "Boots and kit can be borrowed. Bus fares are paid back.",
        ("sport-exercise",),
        (At("ashby-park-centre", ("MO 18:00-20:00",)),),
        "2026-10-20",
        PHONED,
        languages=("en", "ar", "ps", "ti"),
        facts=OPEN_TO_ALL + (TRANSPORT_HELP,),
        minimum_age=16,
        maximum_age=25,
        gender="male",
    ),
    Service(
        "welcome-parent-toddler",
        "welcome-centre",
        "Parent and toddler group",
        "Play, songs and stories for children under five and their parents, with tea and a chance to meet "
        "other families. A crèche looks after babies while parents join the English corner.",
        ("parent-groups", "language-classes"),
        (At("welcome-centre", ("WE 10:00-11:30",)),),
        "2026-11-10",
        VISITED,
        languages=("en", "ar", "fa", "uk"),
        facts=OPEN_TO_ALL + (CHILDCARE,),
    ),
    Service(
        "st-brendans-cooking-club",
        "st-brendans",
        "Cooking club: food from home",
        "Cook a dish from your country with others and share the meal. All food is halal or vegetarian and "
        "we stop for prayer times. Ingredients cost £1 a session, or nothing if you cannot pay.",
        ("cooking-eating-together", "food"),
        (At("st-brendans", ("FR 14:00-16:30",)),),
        "2026-10-28",
        PHONED,
        languages=("en", "ar", "ur"),
        facts=(NO_STATUS_CHECK, NO_DOCUMENTS, LOW_COST),
        costs=(Cost("Ingredients", 1.00, "per session, or nothing if you cannot pay"),),
        faith="all faiths welcome",
    ),
    Service(
        "mosque-womens-cooking",
        "riverside-mosque",
        "Sisters' kitchen",
        "A cooking and friendship group for Muslim women and any woman who wants to join, in the mosque's "
        "community room. Halal food; prayer space next door.",
        ("cooking-eating-together", "faith-cultural-groups"),
        (At("northgate-community-centre", ("TU 11:00-13:00",)),),
        "2026-09-15",
        PHONED,
        languages=("en", "ar", "so", "ur"),
        facts=OPEN_TO_ALL,
        gender="female",
        faith="Muslim",
    ),
    Service(
        "council-conversation-transport",
        "council",
        "English conversation class with transport",
        "A friendly English conversation class for beginners, twice a week. If the bus is hard for you, the "
        "library's community transport can pick you up: ask when you book.",
        ("language-classes",),
        (At("millbrook-library", ("TU,TH 13:30-15:00",)),),
        "2026-11-05",
        WEBSITE,
        languages=("en",),
        interpreters=("ar", "uk"),
        facts=OPEN_TO_ALL + (TRANSPORT_HELP,),
        application="Phone the library or just come along; say if you need to be picked up.",
    ),
    Service(
        "hollins-green-garden",
        "council",
        "Hollins Green community garden",
        "Grow vegetables and flowers with your neighbours, learn about local plants and take home what you "
        "grow. Tools and gloves provided. Families welcome.",
        ("gardening-outdoors", "volunteering"),
        (At("hollins-green-centre", ("SA 10:00-13:00", "WE 14:00-16:00")),),
        "2026-10-12",
        VISITED,
        facts=OPEN_TO_ALL,
    ),
    Service(
        "welcome-befriending",
        "welcome-centre",
        "Befriending: a friend in Fairhaven",
        "A trained volunteer meets you once a week for a walk, a coffee or help finding your way around the "
        "city. Matches by language and interests where we can; their bus fares and yours are paid.",
        ("befriending", "social-support"),
        (At("welcome-centre", ("MO-FR 10:00-16:00",), "Ask at the desk to be matched."),),
        "2026-11-12",
        OUTREACH,
        languages=("en", "ar", "fa", "uk", "ti"),
        facts=OPEN_TO_ALL + (TRANSPORT_HELP,),
    ),
    Service(
        "ukrainian-choir",
        "ukrainian-hub",
        "Community choir",
        "Sing Ukrainian and English songs together; no experience needed. Small fee for the hall, or free if "
        "money is tight.",
        ("arts-culture", "faith-cultural-groups"),
        (At("eastcliff-centre", ("SU 16:00-18:00",)),),
        "2026-10-03",
        EMAIL,
        languages=("uk", "en"),
        facts=(NO_STATUS_CHECK, NO_DOCUMENTS, LOW_COST),
        costs=(Cost("Hall fee", 2.00, "per session, or free if money is tight"),),
    ),
)
