"""Word lists the HubSpot emulator's seed draws its people, deals and leads from."""

from __future__ import annotations

# First and last names of contact persons, by the country of their company.
PEOPLE = {
    "US": (("James", "Mary", "Robert", "Patricia", "Michael", "Jennifer", "David", "Linda",
            "Daniel", "Emily", "Kevin", "Ashley", "Brian", "Megan", "Tyler", "Rachel"),
           ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
            "Rodriguez", "Martinez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore")),
    "GB": (("Oliver", "Amelia", "Harry", "Isla", "George", "Ava", "Jack", "Emily", "Charlie",
            "Sophie", "Thomas", "Grace", "William", "Lucy"),
           ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas",
            "Roberts", "Walker", "Wright", "Hughes", "Clarke", "Hall")),
    "BE": (("Lucas", "Emma", "Louis", "Louise", "Arthur", "Olivia", "Noah", "Elena", "Jules",
            "Marie", "Thomas", "Lotte", "Wout", "Camille"),
           ("Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
            "Dubois", "Lambert", "Dupont", "Martin", "Wouters", "Leclercq")),
    "DE": (("Lukas", "Anna", "Jonas", "Lea", "Felix", "Hannah", "Leon", "Sophie", "Paul",
            "Marie", "Maximilian", "Laura", "Tobias", "Julia"),
           ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
            "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf")),
    "FR": (("Hugo", "Chloé", "Louis", "Manon", "Gabriel", "Camille", "Arthur", "Léa",
            "Raphaël", "Inès", "Théo", "Juliette", "Nathan", "Sarah"),
           ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
            "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel")),
    "NL": (("Daan", "Emma", "Sem", "Julia", "Lucas", "Mila", "Levi", "Tess", "Finn", "Sophie",
            "Bram", "Zoë", "Jesse", "Anouk"),
           ("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen",
            "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos")),
    "ES": (("Hugo", "Lucía", "Martín", "Sofía", "Pablo", "María", "Daniel", "Paula",
            "Alejandro", "Carmen"),
           ("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez",
            "Pérez", "Gómez", "Ruiz")),
    "IT": (("Leonardo", "Sofia", "Francesco", "Giulia", "Alessandro", "Aurora", "Lorenzo",
            "Alice", "Matteo", "Chiara"),
           ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
            "Marino", "Greco")),
}  # fmt: skip
JOB_TITLES = (
    "Purchasing Manager", "Office Manager", "Operations Director", "Procurement Lead",
    "Facilities Manager", "Managing Director", "Buyer", "Head of Workplace", "CFO", "COO",
)  # fmt: skip
# The company's own sales team (the HubSpot users who own records), besides its admin.
OWNER_NAMES = (
    ("Sarah", "Lambert"), ("Thomas", "Verhoeven"), ("Julia", "Becker"), ("Marc", "Dupont"),
    ("Emily", "Carter"), ("Pieter", "de Wit"), ("Laura", "Rossi"), ("Daniel", "Brooks"),
    ("Hannah", "Meyer"),
)  # fmt: skip
TEAMS = ("Sales EMEA", "Sales Americas", "Key Accounts")
DEAL_TOPICS = (
    "Office refit", "Annual supplies contract", "Furniture rollout", "Ergonomic chairs upgrade",
    "New branch fit-out", "Meeting rooms", "Stationery framework", "Storage and shelving",
    "Reception redesign", "Hybrid workspace pilot",
)  # fmt: skip
OPEN_STAGES = (
    ("appointmentscheduled", 25), ("qualifiedtobuy", 25), ("presentationscheduled", 20),
    ("decisionmakerboughtin", 15), ("contractsent", 15),
)  # fmt: skip
# Lead companies: words of the ERP's company names with trades no ERP customer has.
LEAD_TRADES = (
    "Analytics", "Media", "Consulting", "Architects", "Dental", "Coworking", "Events",
    "Clinics", "Academy", "Hotels", "Realty", "Biotech",
)  # fmt: skip
LEAD_COUNTRIES = (("US", "com"), ("GB", "co.uk"), ("BE", "be"), ("DE", "de"), ("FR", "fr"),
                  ("NL", "nl"))  # fmt: skip
FREE_MAIL = ("example.com", "example.net", "example.org")
