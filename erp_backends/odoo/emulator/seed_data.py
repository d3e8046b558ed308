"""Word lists the Odoo emulator's seed draws its realistic fake data from."""

from __future__ import annotations

from dataclasses import dataclass


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
        "US", 0.35, "USD", "en_US", "com", ("Inc.", "LLC", "Corp."),
        (("San Francisco", "94107", "CA"), ("Los Angeles", "90012", "CA"),
         ("San Diego", "92101", "CA"), ("New York", "10001", "NY"), ("Brooklyn", "11201", "NY"),
         ("Austin", "78701", "TX"), ("Houston", "77002", "TX"), ("Dallas", "75201", "TX"),
         ("Chicago", "60601", "IL"), ("Seattle", "98101", "WA"), ("Boston", "02108", "MA"),
         ("Miami", "33131", "FL"), ("Denver", "80202", "CO"), ("Atlanta", "30303", "GA"),
         ("Portland", "97204", "OR"), ("Philadelphia", "19103", "PA"),
         ("Phoenix", "85004", "AZ"), ("Minneapolis", "55401", "MN"),
         ("Charlotte", "28202", "NC"), ("Columbus", "43215", "OH")),
        ("Market Street", "Mission Street", "Main Street", "Broadway", "Oak Avenue",
         "Pine Street", "Elm Street", "5th Avenue", "Maple Drive", "Congress Avenue",
         "Peachtree Street", "Lake Shore Drive"),
        "{n} {street}", "+1 ###-555-01##", None, 8.25,
    ),
    CountryStyle(
        "BE", 0.15, "EUR", "fr_BE", "be", ("NV", "SA", "BV", "SRL"),
        (("Brussels", "1000", ""), ("Antwerp", "2000", ""), ("Ghent", "9000", ""),
         ("Liège", "4000", ""), ("Leuven", "3000", ""), ("Namur", "5000", ""),
         ("Bruges", "8000", ""), ("Mechelen", "2800", ""), ("Wavre", "1300", "")),
        ("Rue de la Loi", "Avenue Louise", "Meir", "Veldstraat", "Boulevard d'Avroy",
         "Bondgenotenlaan", "Chaussée de Wavre", "Kouter", "Rue Neuve", "Grote Markt"),
        "{street} {n}", "+32 2 ### ## ##", "BE0#########", 21.0,
    ),
    CountryStyle(
        "DE", 0.12, "EUR", "de_DE", "de", ("GmbH", "AG", "GmbH & Co. KG"),
        (("Berlin", "10115", ""), ("Hamburg", "20095", ""), ("München", "80331", ""),
         ("Köln", "50667", ""), ("Frankfurt am Main", "60311", ""), ("Stuttgart", "70173", ""),
         ("Düsseldorf", "40213", ""), ("Leipzig", "04109", ""), ("Hannover", "30159", "")),
        ("Hauptstraße", "Bahnhofstraße", "Friedrichstraße", "Schillerstraße", "Goethestraße",
         "Königsallee", "Lindenstraße", "Marktplatz", "Kaiserstraße", "Berliner Allee"),
        "{street} {n}", "+49 30 #### ####", "DE#########", 19.0,
    ),
    CountryStyle(
        "FR", 0.12, "EUR", "fr_FR", "fr", ("SAS", "SARL", "SA"),
        (("Paris", "75002", ""), ("Lyon", "69002", ""), ("Marseille", "13001", ""),
         ("Toulouse", "31000", ""), ("Lille", "59000", ""), ("Bordeaux", "33000", ""),
         ("Nantes", "44000", ""), ("Strasbourg", "67000", ""), ("Rennes", "35000", "")),
        ("Rue de Rivoli", "Avenue des Champs-Élysées", "Rue de la République",
         "Boulevard Haussmann", "Rue Victor Hugo", "Place Bellecour", "Rue Nationale",
         "Cours Mirabeau", "Quai des Chartrons"),
        "{n} {street}", "+33 1 ## ## ## ##", "FR###########", 20.0,
    ),
    CountryStyle(
        "NL", 0.10, "EUR", "nl_NL", "nl", ("B.V.", "N.V."),
        (("Amsterdam", "1012 AB", ""), ("Rotterdam", "3011 AD", ""), ("Utrecht", "3511 AA", ""),
         ("Den Haag", "2511 BT", ""), ("Eindhoven", "5611 AZ", ""), ("Groningen", "9711 LM", ""),
         ("Haarlem", "2011 RD", ""), ("Leiden", "2311 EZ", "")),
        ("Keizersgracht", "Herengracht", "Coolsingel", "Damrak", "Oudegracht",
         "Lange Voorhout", "Stationsplein", "Kalverstraat"),
        "{street} {n}", "+31 20 ### ####", "NL#########B01", 21.0,
    ),
    CountryStyle(
        "GB", 0.10, "GBP", "en_GB", "co.uk", ("Ltd", "PLC", "Ltd"),
        (("London", "EC1A 1BB", ""), ("Manchester", "M1 1AE", ""), ("Birmingham", "B1 1AA", ""),
         ("Leeds", "LS1 4AP", ""), ("Bristol", "BS1 4DJ", ""), ("Edinburgh", "EH1 1YZ", ""),
         ("Glasgow", "G1 1XQ", ""), ("Liverpool", "L1 8JQ", "")),
        ("High Street", "Station Road", "King Street", "Deansgate", "Oxford Street",
         "Princes Street", "Park Lane", "Victoria Road"),
        "{n} {street}", "+44 20 7946 0###", "GB#########", 20.0,
    ),
    CountryStyle(
        "ES", 0.03, "EUR", "es_ES", "es", ("S.L.", "S.A."),
        (("Madrid", "28013", ""), ("Barcelona", "08001", ""), ("Valencia", "46002", ""),
         ("Sevilla", "41001", ""), ("Bilbao", "48001", "")),
        ("Calle Mayor", "Gran Vía", "Paseo de Gracia", "Calle de Alcalá", "Avenida Diagonal"),
        "{street}, {n}", "+34 91 ### ## ##", "ESB########", 21.0,
    ),
    CountryStyle(
        "IT", 0.03, "EUR", "it_IT", "it", ("S.r.l.", "S.p.A."),
        (("Milano", "20121", ""), ("Roma", "00184", ""), ("Torino", "10121", ""),
         ("Bologna", "40121", ""), ("Firenze", "50123", "")),
        ("Via Roma", "Corso Buenos Aires", "Via del Corso", "Via Garibaldi",
         "Corso Vittorio Emanuele II"),
        "{street}, {n}", "+39 02 #### ####", "IT###########", 22.0,
    ),
)  # fmt: skip

US_STATES = {
    "AZ": "Arizona", "CA": "California", "CO": "Colorado", "FL": "Florida", "GA": "Georgia",
    "IL": "Illinois", "MA": "Massachusetts", "MN": "Minnesota", "NC": "North Carolina",
    "NY": "New York", "OH": "Ohio", "OR": "Oregon", "PA": "Pennsylvania", "TX": "Texas",
    "WA": "Washington",
}  # fmt: skip

COMPANY_WORDS = (
    "Azure", "Deco", "Gemini", "Lumber", "Ready", "Bright", "Silver", "Nova", "Atlas",
    "Summit", "Pioneer", "Harbor", "Cedar", "Granite", "Blue Ridge", "Northwind", "Redwood",
    "Sterling", "Vertex", "Orchid", "Falcon", "Horizon", "Maple", "Quantum", "Riverside",
    "Sunrise", "Evergreen", "Ironclad", "Oakridge", "Crescent", "Meridian", "Keystone",
    "Lakeside", "Pinnacle", "Aurora", "Beacon", "Cobalt", "Delta", "Ember", "Fjord",
    "Juniper", "Kestrel", "Lighthouse", "Mosaic", "Nimbus", "Olympus", "Prairie", "Sequoia",
    "Tidewater", "Willow", "Zephyr", "Alder", "Basalt", "Copper", "Driftwood", "Highland",
)  # fmt: skip
COMPANY_TRADES = (
    "Interior", "Furniture", "Office Supplies", "Design", "Trading", "Logistics", "Systems",
    "Solutions", "Industries", "Retail", "Hospitality", "Workspace", "Interiors", "Supply",
    "Partners", "Ventures", "Labs", "Studio", "Distribution", "Wholesale", "Outfitters",
    "Builders", "Concepts", "Engineering", "Technologies", "Foods", "Goods", "Home Living",
)  # fmt: skip
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
    Catalog("FURN", 110, "Units", False, (80, 1500),
            ("Office Chair", "Desk", "Standing Desk", "Bookshelf", "Filing Cabinet",
             "Conference Table", "Sofa", "Armchair", "Coffee Table", "Bar Stool", "Wardrobe",
             "Drawer Unit", "Monitor Stand", "Lounge Chair", "Meeting Table", "Reception Desk"),
            ("Oak", "Walnut", "White", "Black", "Grey", "Beech", "Ash", "Teak")),
    Catalog("ELEC", 100, "Units", False, (15, 900),
            ("LED Desk Lamp", "Wireless Mouse", "Mechanical Keyboard", "27-inch Monitor",
             "USB-C Hub", "HD Webcam", "Noise-Cancelling Headset", "Docking Station",
             "Power Strip", "Laser Printer", "Conference Speaker", "Tablet Stand",
             "Wi-Fi Router", "Label Printer", "Document Scanner"),
            ("Pro", "Lite", "Max", "Mini", "Plus", "II", "X")),
    Catalog("OFFC", 90, "Units", False, (1, 40),
            ("Ballpoint Pens", "Notebook A5", "Sticky Notes", "Stapler", "Paper Clips",
             "Whiteboard Markers", "Envelopes C4", "Printer Paper A4", "Ring Binder",
             "Desk Organizer", "Highlighters", "Scissors", "Pencils HB", "Gel Pens"),
            ("Blue", "Black", "Red", "Green", "Assorted", "Recycled", "Premium")),
    Catalog("FOOD", 50, "kg", False, (3, 60),
            ("Arabica Coffee Beans", "Espresso Roast", "Green Tea Leaves", "Cane Sugar",
             "Dark Chocolate", "Roasted Almonds", "Dried Mango", "Basmati Rice", "Rolled Oats",
             "Cashew Nuts", "Earl Grey Tea", "Hazelnuts"),
            ("Organic", "Fairtrade", "Premium", "Bulk", "Classic")),
    Catalog("CHEM", 45, "L", False, (3, 40),
            ("All-Purpose Cleaner", "Glass Cleaner", "Hand Soap", "Disinfectant", "Floor Polish",
             "Dish Detergent", "Wood Oil", "Degreaser", "Carpet Shampoo", "Descaler"),
            ("Lemon", "Unscented", "Eco", "Industrial", "Lavender")),
    Catalog("CABL", 45, "m", False, (0.5, 12),
            ("Ethernet Cable Cat6", "Power Cable 3G1.5", "Coaxial Cable", "HDMI Cable",
             "Fiber Optic Cable", "Speaker Wire", "Cable Trunking", "Alarm Cable",
             "Ethernet Cable Cat7", "Flat Ribbon Cable"),
            ("Grey", "Black", "White", "Outdoor", "Shielded")),
    Catalog("SERV", 60, "Hours", True, (45, 180),
            ("Installation", "Furniture Assembly", "On-site Support", "Consulting",
             "Space Planning", "Training", "Maintenance Visit", "Delivery and Setup", "IT Setup",
             "Design Review", "Network Cabling", "Workplace Audit"),
            ("Standard", "Premium", "Weekend", "Remote", "Express")),
    Catalog("PACK", 8, "Units", False, (0.2, 25),
            ("Pallet", "Shipping Box", "Packing Tape", "Bubble Wrap", "Stretch Film"),
            ("Small", "Large"), for_sale=False),
)  # fmt: skip
RETIRED_PRODUCTS = 12  # archived predecessors of current products, sold in old orders
DOZEN_NOUNS = frozenset({"Ballpoint Pens", "Whiteboard Markers", "Highlighters", "Pencils HB"})
