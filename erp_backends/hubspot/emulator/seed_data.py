"""Word lists the HubSpot emulator's seed draws its people, deals and leads from."""

from __future__ import annotations

from erp_backends.emulation.world.data import names

# First and last names of contact persons, by the country of their company.
PEOPLE = {
    "US": (
        names(
            "James, Mary, Robert, Patricia, Michael, Jennifer, David, Linda, Daniel, Emily, "
            "Kevin, Ashley, Brian, Megan, Tyler, Rachel"
        ),
        names(
            "Smith, Johnson, Williams, Brown, Jones, Garcia, Miller, Davis, Rodriguez, "
            "Martinez, Wilson, Anderson, Taylor, Thomas, Moore"
        ),
    ),
    "GB": (
        names(
            "Oliver, Amelia, Harry, Isla, George, Ava, Jack, Emily, Charlie, Sophie, Thomas, "
            "Grace, William, Lucy"
        ),
        names(
            "Smith, Jones, Taylor, Brown, Williams, Wilson, Evans, Thomas, Roberts, Walker, "
            "Wright, Hughes, Clarke, Hall"
        ),
    ),
    "BE": (
        names(
            "Lucas, Emma, Louis, Louise, Arthur, Olivia, Noah, Elena, Jules, Marie, Thomas, "
            "Lotte, Wout, Camille"
        ),
        names(
            "Peeters, Janssens, Maes, Jacobs, Mertens, Willems, Claes, Goossens, Dubois, "
            "Lambert, Dupont, Martin, Wouters, Leclercq"
        ),
    ),
    "DE": (
        names(
            "Lukas, Anna, Jonas, Lea, Felix, Hannah, Leon, Sophie, Paul, Marie, Maximilian, "
            "Laura, Tobias, Julia"
        ),
        names(
            "Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, "
            "Hoffmann, Koch, Richter, Klein, Wolf"
        ),
    ),
    "FR": (
        names(
            "Hugo, Chloé, Louis, Manon, Gabriel, Camille, Arthur, Léa, Raphaël, Inès, Théo, "
            "Juliette, Nathan, Sarah"
        ),
        names(
            "Martin, Bernard, Dubois, Thomas, Robert, Richard, Petit, Durand, Leroy, Moreau, "
            "Simon, Laurent, Lefebvre, Michel"
        ),
    ),
    "NL": (
        names(
            "Daan, Emma, Sem, Julia, Lucas, Mila, Levi, Tess, Finn, Sophie, Bram, Zoë, Jesse, Anouk"
        ),
        names(
            "de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Janssen, Visser, Smit, "
            "Meijer, de Boer, Mulder, de Groot, Bos"
        ),
    ),
    "ES": (
        names("Hugo, Lucía, Martín, Sofía, Pablo, María, Daniel, Paula, Alejandro, Carmen"),
        names(
            "García, Fernández, González, Rodríguez, López, Martínez, Sánchez, Pérez, Gómez, Ruiz"
        ),
    ),
    "IT": (
        names(
            "Leonardo, Sofia, Francesco, Giulia, Alessandro, Aurora, Lorenzo, Alice, Matteo, Chiara"
        ),
        names("Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco"),
    ),
}
JOB_TITLES = (
    "Purchasing Manager",
    "Office Manager",
    "Operations Director",
    "Procurement Lead",
    "Facilities Manager",
    "Managing Director",
    "Buyer",
    "Head of Workplace",
    "CFO",
    "COO",
)
# The company's own sales team (the HubSpot users who own records), besides its admin.
OWNER_NAMES = (
    ("Sarah", "Lambert"),
    ("Thomas", "Verhoeven"),
    ("Julia", "Becker"),
    ("Marc", "Dupont"),
    ("Emily", "Carter"),
    ("Pieter", "de Wit"),
    ("Laura", "Rossi"),
    ("Daniel", "Brooks"),
    ("Hannah", "Meyer"),
)
TEAMS = ("Sales EMEA", "Sales Americas", "Key Accounts")
DEAL_TOPICS = (
    "Office refit",
    "Annual supplies contract",
    "Furniture rollout",
    "Ergonomic chairs upgrade",
    "New branch fit-out",
    "Meeting rooms",
    "Stationery framework",
    "Storage and shelving",
    "Reception redesign",
    "Hybrid workspace pilot",
)
OPEN_STAGES = (
    ("appointmentscheduled", 25),
    ("qualifiedtobuy", 25),
    ("presentationscheduled", 20),
    ("decisionmakerboughtin", 15),
    ("contractsent", 15),
)
# Lead companies: words of the ERP's company names with trades no ERP customer has.
LEAD_TRADES = (
    "Analytics",
    "Media",
    "Consulting",
    "Architects",
    "Dental",
    "Coworking",
    "Events",
    "Clinics",
    "Academy",
    "Hotels",
    "Realty",
    "Biotech",
)
LEAD_COUNTRIES = (
    ("US", "com"),
    ("GB", "co.uk"),
    ("BE", "be"),
    ("DE", "de"),
    ("FR", "fr"),
    ("NL", "nl"),
)
FREE_MAIL = ("example.com", "example.net", "example.org")
