"""The neutral world's constants: its "today", exchange rates, and the word lists its
people, companies and products are drawn from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


def names(text: str) -> tuple[str, ...]:
    """A word list written as prose, "Anna, Jan, van Dijk": a line holds many, and a name
    may hold a space."""
    return tuple(text.split(", "))


ANCHOR = date(2026, 10, 31)  # "today" for the seed: never the real clock
RATES = {"EUR": 1.0, "USD": 1.08, "GBP": 0.86}  # product prices are in EUR


@dataclass(frozen=True)
class CountryStyle:
    """How addresses, phones and company names look in one country."""

    code: str
    share: float  # of the customers
    currency: str
    lang: str
    tld: str
    legal_forms: tuple[str, ...]
    cities: tuple[tuple[str, str, str], ...]  # city, zip, state code (US only)
    streets: tuple[str, ...]
    street_format: str  # "{n} {street}" or "{street} {n}"
    phone_format: str  # "#" is a random digit
    vat_format: str | None  # "#" is a random digit
    tax_rate: float


COUNTRIES = (
    CountryStyle(
        code="US",
        share=0.35,
        currency="USD",
        lang="en_US",
        tld="com",
        legal_forms=("Inc.", "LLC", "Corp."),
        cities=(
            ("San Francisco", "94107", "CA"),
            ("Los Angeles", "90012", "CA"),
            ("San Diego", "92101", "CA"),
            ("New York", "10001", "NY"),
            ("Brooklyn", "11201", "NY"),
            ("Austin", "78701", "TX"),
            ("Houston", "77002", "TX"),
            ("Dallas", "75201", "TX"),
            ("Chicago", "60601", "IL"),
            ("Seattle", "98101", "WA"),
            ("Boston", "02108", "MA"),
            ("Miami", "33131", "FL"),
            ("Denver", "80202", "CO"),
            ("Atlanta", "30303", "GA"),
            ("Portland", "97204", "OR"),
            ("Philadelphia", "19103", "PA"),
            ("Phoenix", "85004", "AZ"),
            ("Minneapolis", "55401", "MN"),
            ("Charlotte", "28202", "NC"),
            ("Columbus", "43215", "OH"),
        ),
        streets=(
            "Market Street",
            "Mission Street",
            "Main Street",
            "Broadway",
            "Oak Avenue",
            "Pine Street",
            "Elm Street",
            "5th Avenue",
            "Maple Drive",
            "Congress Avenue",
            "Peachtree Street",
            "Lake Shore Drive",
        ),
        street_format="{n} {street}",
        phone_format="+1 ###-555-01##",
        vat_format=None,
        tax_rate=8.25,
    ),
    CountryStyle(
        code="BE",
        share=0.15,
        currency="EUR",
        lang="fr_BE",
        tld="be",
        legal_forms=("NV", "SA", "BV", "SRL"),
        cities=(
            ("Brussels", "1000", ""),
            ("Antwerp", "2000", ""),
            ("Ghent", "9000", ""),
            ("Liège", "4000", ""),
            ("Leuven", "3000", ""),
            ("Namur", "5000", ""),
            ("Bruges", "8000", ""),
            ("Mechelen", "2800", ""),
            ("Wavre", "1300", ""),
        ),
        streets=(
            "Rue de la Loi",
            "Avenue Louise",
            "Meir",
            "Veldstraat",
            "Boulevard d'Avroy",
            "Bondgenotenlaan",
            "Chaussée de Wavre",
            "Kouter",
            "Rue Neuve",
            "Grote Markt",
        ),
        street_format="{street} {n}",
        phone_format="+32 2 ### ## ##",
        vat_format="BE0#########",
        tax_rate=21.0,
    ),
    CountryStyle(
        code="DE",
        share=0.12,
        currency="EUR",
        lang="de_DE",
        tld="de",
        legal_forms=("GmbH", "AG", "GmbH & Co. KG"),
        cities=(
            ("Berlin", "10115", ""),
            ("Hamburg", "20095", ""),
            ("München", "80331", ""),
            ("Köln", "50667", ""),
            ("Frankfurt am Main", "60311", ""),
            ("Stuttgart", "70173", ""),
            ("Düsseldorf", "40213", ""),
            ("Leipzig", "04109", ""),
            ("Hannover", "30159", ""),
        ),
        streets=(
            "Hauptstraße",
            "Bahnhofstraße",
            "Friedrichstraße",
            "Schillerstraße",
            "Goethestraße",
            "Königsallee",
            "Lindenstraße",
            "Marktplatz",
            "Kaiserstraße",
            "Berliner Allee",
        ),
        street_format="{street} {n}",
        phone_format="+49 30 #### ####",
        vat_format="DE#########",
        tax_rate=19.0,
    ),
    CountryStyle(
        code="FR",
        share=0.12,
        currency="EUR",
        lang="fr_FR",
        tld="fr",
        legal_forms=("SAS", "SARL", "SA"),
        cities=(
            ("Paris", "75002", ""),
            ("Lyon", "69002", ""),
            ("Marseille", "13001", ""),
            ("Toulouse", "31000", ""),
            ("Lille", "59000", ""),
            ("Bordeaux", "33000", ""),
            ("Nantes", "44000", ""),
            ("Strasbourg", "67000", ""),
            ("Rennes", "35000", ""),
        ),
        streets=(
            "Rue de Rivoli",
            "Avenue des Champs-Élysées",
            "Rue de la République",
            "Boulevard Haussmann",
            "Rue Victor Hugo",
            "Place Bellecour",
            "Rue Nationale",
            "Cours Mirabeau",
            "Quai des Chartrons",
        ),
        street_format="{n} {street}",
        phone_format="+33 1 ## ## ## ##",
        vat_format="FR###########",
        tax_rate=20.0,
    ),
    CountryStyle(
        code="NL",
        share=0.1,
        currency="EUR",
        lang="nl_NL",
        tld="nl",
        legal_forms=("B.V.", "N.V."),
        cities=(
            ("Amsterdam", "1012 AB", ""),
            ("Rotterdam", "3011 AD", ""),
            ("Utrecht", "3511 AA", ""),
            ("Den Haag", "2511 BT", ""),
            ("Eindhoven", "5611 AZ", ""),
            ("Groningen", "9711 LM", ""),
            ("Haarlem", "2011 RD", ""),
            ("Leiden", "2311 EZ", ""),
        ),
        streets=(
            "Keizersgracht",
            "Herengracht",
            "Coolsingel",
            "Damrak",
            "Oudegracht",
            "Lange Voorhout",
            "Stationsplein",
            "Kalverstraat",
        ),
        street_format="{street} {n}",
        phone_format="+31 20 ### ####",
        vat_format="NL#########B01",
        tax_rate=21.0,
    ),
    CountryStyle(
        code="GB",
        share=0.1,
        currency="GBP",
        lang="en_GB",
        tld="co.uk",
        legal_forms=("Ltd", "PLC", "Ltd"),
        cities=(
            ("London", "EC1A 1BB", ""),
            ("Manchester", "M1 1AE", ""),
            ("Birmingham", "B1 1AA", ""),
            ("Leeds", "LS1 4AP", ""),
            ("Bristol", "BS1 4DJ", ""),
            ("Edinburgh", "EH1 1YZ", ""),
            ("Glasgow", "G1 1XQ", ""),
            ("Liverpool", "L1 8JQ", ""),
        ),
        streets=(
            "High Street",
            "Station Road",
            "King Street",
            "Deansgate",
            "Oxford Street",
            "Princes Street",
            "Park Lane",
            "Victoria Road",
        ),
        street_format="{n} {street}",
        phone_format="+44 20 7946 0###",
        vat_format="GB#########",
        tax_rate=20.0,
    ),
    CountryStyle(
        code="ES",
        share=0.03,
        currency="EUR",
        lang="es_ES",
        tld="es",
        legal_forms=("S.L.", "S.A."),
        cities=(
            ("Madrid", "28013", ""),
            ("Barcelona", "08001", ""),
            ("Valencia", "46002", ""),
            ("Sevilla", "41001", ""),
            ("Bilbao", "48001", ""),
        ),
        streets=(
            "Calle Mayor",
            "Gran Vía",
            "Paseo de Gracia",
            "Calle de Alcalá",
            "Avenida Diagonal",
        ),
        street_format="{street}, {n}",
        phone_format="+34 91 ### ## ##",
        vat_format="ESB########",
        tax_rate=21.0,
    ),
    CountryStyle(
        code="IT",
        share=0.03,
        currency="EUR",
        lang="it_IT",
        tld="it",
        legal_forms=("S.r.l.", "S.p.A."),
        cities=(
            ("Milano", "20121", ""),
            ("Roma", "00184", ""),
            ("Torino", "10121", ""),
            ("Bologna", "40121", ""),
            ("Firenze", "50123", ""),
        ),
        streets=(
            "Via Roma",
            "Corso Buenos Aires",
            "Via del Corso",
            "Via Garibaldi",
            "Corso Vittorio Emanuele II",
        ),
        street_format="{street}, {n}",
        phone_format="+39 02 #### ####",
        vat_format="IT###########",
        tax_rate=22.0,
    ),
)

US_STATES = {
    "AZ": "Arizona",
    "CA": "California",
    "CO": "Colorado",
    "FL": "Florida",
    "GA": "Georgia",
    "IL": "Illinois",
    "MA": "Massachusetts",
    "MN": "Minnesota",
    "NC": "North Carolina",
    "NY": "New York",
    "OH": "Ohio",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "TX": "Texas",
    "WA": "Washington",
}

COMPANY_WORDS = names(
    "Azure, Deco, Gemini, Lumber, Ready, Bright, Silver, Nova, Atlas, Summit, Pioneer, Harbor, "
    "Cedar, Granite, Blue Ridge, Northwind, Redwood, Sterling, Vertex, Orchid, Falcon, "
    "Horizon, Maple, Quantum, Riverside, Sunrise, Evergreen, Ironclad, Oakridge, Crescent, "
    "Meridian, Keystone, Lakeside, Pinnacle, Aurora, Beacon, Cobalt, Delta, Ember, Fjord, "
    "Juniper, Kestrel, Lighthouse, Mosaic, Nimbus, Olympus, Prairie, Sequoia, Tidewater, "
    "Willow, Zephyr, Alder, Basalt, Copper, Driftwood, Highland"
)
COMPANY_TRADES = names(
    "Interior, Furniture, Office Supplies, Design, Trading, Logistics, Systems, Solutions, "
    "Industries, Retail, Hospitality, Workspace, Interiors, Supply, Partners, Ventures, Labs, "
    "Studio, Distribution, Wholesale, Outfitters, Builders, Concepts, Engineering, "
    "Technologies, Foods, Goods, Home Living"
)
EMAIL_BOXES = ("info", "contact", "sales", "office", "hello", "orders")
DELIVERY_NAMES = ("Main Warehouse", "Distribution Center", "Loading Dock", "Flagship Store")
INVOICE_NAMES = ("Accounts Payable", "Finance Department", "Billing")


@dataclass(frozen=True)
class Catalog:
    """A product family: SKU prefix, unit, type, price range and name parts."""

    prefix: str
    count: int
    uom: str
    service: bool
    price: tuple[float, float]
    nouns: tuple[str, ...]
    variants: tuple[str, ...]
    for_sale: bool = True


CATALOGS = (
    Catalog(
        prefix="FURN",
        count=110,
        uom="Units",
        service=False,
        price=(80, 1500),
        nouns=(
            "Office Chair",
            "Desk",
            "Standing Desk",
            "Bookshelf",
            "Filing Cabinet",
            "Conference Table",
            "Sofa",
            "Armchair",
            "Coffee Table",
            "Bar Stool",
            "Wardrobe",
            "Drawer Unit",
            "Monitor Stand",
            "Lounge Chair",
            "Meeting Table",
            "Reception Desk",
        ),
        variants=("Oak", "Walnut", "White", "Black", "Grey", "Beech", "Ash", "Teak"),
    ),
    Catalog(
        prefix="ELEC",
        count=100,
        uom="Units",
        service=False,
        price=(15, 900),
        nouns=(
            "LED Desk Lamp",
            "Wireless Mouse",
            "Mechanical Keyboard",
            "27-inch Monitor",
            "USB-C Hub",
            "HD Webcam",
            "Noise-Cancelling Headset",
            "Docking Station",
            "Power Strip",
            "Laser Printer",
            "Conference Speaker",
            "Tablet Stand",
            "Wi-Fi Router",
            "Label Printer",
            "Document Scanner",
        ),
        variants=("Pro", "Lite", "Max", "Mini", "Plus", "II", "X"),
    ),
    Catalog(
        prefix="OFFC",
        count=90,
        uom="Units",
        service=False,
        price=(1, 40),
        nouns=(
            "Ballpoint Pens",
            "Notebook A5",
            "Sticky Notes",
            "Stapler",
            "Paper Clips",
            "Whiteboard Markers",
            "Envelopes C4",
            "Printer Paper A4",
            "Ring Binder",
            "Desk Organizer",
            "Highlighters",
            "Scissors",
            "Pencils HB",
            "Gel Pens",
        ),
        variants=("Blue", "Black", "Red", "Green", "Assorted", "Recycled", "Premium"),
    ),
    Catalog(
        prefix="FOOD",
        count=50,
        uom="kg",
        service=False,
        price=(3, 60),
        nouns=(
            "Arabica Coffee Beans",
            "Espresso Roast",
            "Green Tea Leaves",
            "Cane Sugar",
            "Dark Chocolate",
            "Roasted Almonds",
            "Dried Mango",
            "Basmati Rice",
            "Rolled Oats",
            "Cashew Nuts",
            "Earl Grey Tea",
            "Hazelnuts",
        ),
        variants=("Organic", "Fairtrade", "Premium", "Bulk", "Classic"),
    ),
    Catalog(
        prefix="CHEM",
        count=45,
        uom="L",
        service=False,
        price=(3, 40),
        nouns=(
            "All-Purpose Cleaner",
            "Glass Cleaner",
            "Hand Soap",
            "Disinfectant",
            "Floor Polish",
            "Dish Detergent",
            "Wood Oil",
            "Degreaser",
            "Carpet Shampoo",
            "Descaler",
        ),
        variants=("Lemon", "Unscented", "Eco", "Industrial", "Lavender"),
    ),
    Catalog(
        prefix="CABL",
        count=45,
        uom="m",
        service=False,
        price=(0.5, 12),
        nouns=(
            "Ethernet Cable Cat6",
            "Power Cable 3G1.5",
            "Coaxial Cable",
            "HDMI Cable",
            "Fiber Optic Cable",
            "Speaker Wire",
            "Cable Trunking",
            "Alarm Cable",
            "Ethernet Cable Cat7",
            "Flat Ribbon Cable",
        ),
        variants=("Grey", "Black", "White", "Outdoor", "Shielded"),
    ),
    Catalog(
        prefix="SERV",
        count=60,
        uom="Hours",
        service=True,
        price=(45, 180),
        nouns=(
            "Installation",
            "Furniture Assembly",
            "On-site Support",
            "Consulting",
            "Space Planning",
            "Training",
            "Maintenance Visit",
            "Delivery and Setup",
            "IT Setup",
            "Design Review",
            "Network Cabling",
            "Workplace Audit",
        ),
        variants=("Standard", "Premium", "Weekend", "Remote", "Express"),
    ),
    Catalog(
        prefix="PACK",
        count=8,
        uom="Units",
        service=False,
        price=(0.2, 25),
        nouns=("Pallet", "Shipping Box", "Packing Tape", "Bubble Wrap", "Stretch Film"),
        variants=("Small", "Large"),
        for_sale=False,
    ),
)
RETIRED_PRODUCTS = 12  # archived predecessors of current products, sold in old orders
DOZEN_NOUNS = frozenset({"Ballpoint Pens", "Whiteboard Markers", "Highlighters", "Pencils HB"})
