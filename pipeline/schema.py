"""The delivery format and the one Danish vocabulary: datasets, columns, types, allowed values and labels."""

from __future__ import annotations

from dataclasses import dataclass, field

# Column kinds understood by the readers in `pipeline.readers`.
TEXT, INT, FLOAT, DATE, CATEGORY, YESNO = "text", "int", "float", "date", "category", "yesno"

ENERGY_LABELS = ["A2020", "A2015", "A2010", "B", "C", "D", "E", "F", "G"]
D_OR_WORSE = ["D", "E", "F", "G"]
PROJECT_TYPES = ["renovering", "nybyggeri"]
VEHICLE_CLASSES = ["personbil", "varebil", "lastbil", "bus", "andet"]
PROPULSIONS = ["el", "brint", "plugin_hybrid", "hybrid", "benzin", "diesel", "gas", "biogas", "hvo"]
ZERO_EMISSION = ["el", "brint"]
WASTE_FRACTIONS = [
    "madaffald", "papir", "pap", "glas", "metal", "plast", "tekstil",
    "mad_og_drikkekartoner", "farligt_affald", "haveaffald", "storskrald", "restaffald",
]
TREATMENTS = ["genanvendelse", "forbraending", "deponi"]
RESPONSIBILITIES = ["selv", "medejer", "faellesskab"]
STATUSES = ["ikke_startet", "i_gang", "gennemfoert", "forsinket", "opgivet"]
YES_NO = ["ja", "nej"]
# The territorial greenhouse-gas account (dataset `emissions`): Energi- og CO2-regnskabet's sectors
# (its `sektor` names normalised like every category), plus land use for accounts that show it apart.
EMISSION_SECTORS = ["energi", "transport", "landbrug", "arealanvendelse", "affaldsdeponi",
                    "kemiske_processer", "spildevand"]
AGRICULTURE_SECTORS = ["landbrug", "arealanvendelse"]  # left out of the total "uden landbrug"
TOTAL_WITH_AGRICULTURE, TOTAL_WITHOUT_AGRICULTURE = "samlet_med_landbrug", "samlet_uden_landbrug"
TOTAL_UNRESOLVED = "samlet_uafklaret"  # a "Samlet" row whose scope the sums cannot decide
EMISSION_TOTALS = [TOTAL_WITH_AGRICULTURE, TOTAL_WITHOUT_AGRICULTURE, TOTAL_UNRESOLVED]
# Sectors that may be negative: agriculture and land use can bind carbon, and so can a total
# that includes them (or whose scope is unknown).
NEGATIVE_ALLOWED = AGRICULTURE_SECTORS + [TOTAL_WITH_AGRICULTURE, TOTAL_UNRESOLVED]
EMISSION_UNITS = ["t_co2e", "t_co2e_per_inhabitant", "t_co2e_per_km2"]

# The Danish label of every category a reader sees (the one vocabulary; keys in schema order).
ACTION_STATUS_DA = {
    "ikke_startet": "ikke startet",
    "i_gang": "i gang",
    "gennemfoert": "gennemført",
    "forsinket": "forsinket",
    "opgivet": "opgivet",
}
RESPONSIBILITY_DA = {"selv": "selv", "medejer": "medejer", "faellesskab": "fællesskab"}
VEHICLE_CLASS_DA = {
    "personbil": "Personbiler",
    "varebil": "Varebiler",
    "lastbil": "Lastbiler",
    "bus": "Busser",
    "andet": "Andre køretøjer",
}
PROPULSION_DA = {
    "el": "El",
    "brint": "Brint",
    "plugin_hybrid": "Plugin-hybrid",
    "hybrid": "Hybrid",
    "benzin": "Benzin",
    "diesel": "Diesel",
    "gas": "Gas",
    "biogas": "Biogas",
    "hvo": "HVO",
}
SECTOR_DA = {
    "energi": "Energi",
    "transport": "Transport",
    "landbrug": "Landbrug",
    "arealanvendelse": "Arealanvendelse",
    "affaldsdeponi": "Affaldsdeponi",
    "kemiske_processer": "Kemiske processer",
    "spildevand": "Spildevand",
    "samlet_med_landbrug": "I alt med landbrug",
    "samlet_uden_landbrug": "I alt uden landbrug",
    "samlet_uafklaret": "I alt (med eller uden landbrug er uafklaret)",
}
EMISSION_UNIT_DA = {
    "t_co2e": "ton CO2e",
    "t_co2e_per_inhabitant": "ton CO2e pr. indbygger",
    "t_co2e_per_km2": "ton CO2e pr. km²",
}
assert list(SECTOR_DA) == EMISSION_SECTORS + EMISSION_TOTALS and list(EMISSION_UNIT_DA) == EMISSION_UNITS
assert list(ACTION_STATUS_DA) == STATUSES and list(RESPONSIBILITY_DA) == RESPONSIBILITIES
assert list(VEHICLE_CLASS_DA) == VEHICLE_CLASSES and list(PROPULSION_DA) == PROPULSIONS

# Validation: rule severities, rule outcomes and a municipality's publication status.
SEVERITIES = ("critical", "warning", "info")
SEVERITY_DA = {"critical": "kritisk", "warning": "advarsel", "info": "information"}  # in sentences
SEVERITY_LABEL_DA = {"critical": "Kritisk", "warning": "Advarsel", "info": "Info"}  # table labels
OUTCOME_DA = {
    "passed": "Bestået",
    "failed": "Fejlet",
    "error": "Fejl under kontrollen",
    "skipped": "Ikke vurderet",
}
PUBLICATION_DA = {"published": "Offentliggøres", "blocked": "Blokeret"}

# Provenance columns added by ingestion to every row.
PROVENANCE = ["municipality_code", "year", "source_file", "source_row"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool = True  # False: the cell may be empty
    allowed: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Dataset:
    name: str
    id_column: str | None
    columns: tuple[Column, ...]
    description: str = ""
    danish_name: str = ""
    extra: dict = field(default_factory=dict)
    optional: bool = False  # True: not delivering it is no failure (no completeness warning)
    index_columns: tuple[str, ...] = ()  # more columns that name a failing row in validation

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


DATASETS: dict[str, Dataset] = {
    "buildings": Dataset(
        "buildings", "building_id", (
            Column("building_id", TEXT, description="Bygningens id i kommunens ejendomssystem"),
            Column("name", TEXT, description="Bygningens navn"),
            Column("use", TEXT, description="Anvendelse, fx kontor, skole, daginstitution, etagebolig"),
            Column("heated_area_m2", FLOAT, description="Opvarmet areal i m²"),
            Column("energy_label", CATEGORY, required=False, allowed=tuple(ENERGY_LABELS),
                   description="Energimærke; tomt hvis bygningen ikke har et"),
            Column("label_valid_until", DATE, required=False,
                   description="Energimærkets udløbsdato; tomt hvis intet mærke"),
        ),
        description="One row per municipal building at year end.",
        danish_name="Kommunale bygninger",
    ),
    "construction_projects": Dataset(
        "construction_projects", "project_id", (
            Column("project_id", TEXT),
            Column("building_id", TEXT),
            Column("project_type", CATEGORY, allowed=tuple(PROJECT_TYPES)),
            Column("completed_on", DATE),
            Column("floor_area_m2", FLOAT),
            Column("lca_performed", YESNO, allowed=tuple(YES_NO)),
            Column("lca_gwp_kg_co2e_m2_year", FLOAT, required=False),
            Column("recycled_material_share_pct", FLOAT, required=False),
        ),
        description="One row per municipal renovation or new build completed in YEAR.",
        danish_name="Bygge- og renoveringsprojekter",
    ),
    "fleet": Dataset(
        "fleet", "vehicle_id", (
            Column("vehicle_id", TEXT),
            Column("vehicle_class", CATEGORY, allowed=tuple(VEHICLE_CLASSES)),
            Column("propulsion", CATEGORY, allowed=tuple(PROPULSIONS)),
            Column("in_service_since", DATE),
        ),
        description="One row per vehicle in the municipality's own fleet at year end.",
        danish_name="Kommunens egen vognpark",
    ),
    "waste": Dataset(
        "waste", None, (
            Column("fraction", CATEGORY, allowed=tuple(WASTE_FRACTIONS)),
            Column("treatment", CATEGORY, allowed=tuple(TREATMENTS)),
            Column("tonnes", FLOAT),
        ),
        description="Household waste for YEAR by fraction and treatment.",
        danish_name="Husholdningsaffald",
    ),
    "actions": Dataset(
        "actions", "action_id", (
            Column("action_id", TEXT),
            Column("area", TEXT),
            Column("title", TEXT),
            Column("responsibility", CATEGORY, allowed=tuple(RESPONSIBILITIES)),
            Column("status", CATEGORY, allowed=tuple(STATUSES)),
            Column("expected_reduction_t_co2e_2030", FLOAT, required=False),
            Column("kpi", TEXT, required=False),
        ),
        description="The climate action plan register.",
        danish_name="Handlingsplanens indsatser",
    ),
}

DATASETS["emissions"] = Dataset(
    "emissions", None, (
        Column("data_year", INT, description="Året, udledningen gælder (dataåret); `year` er udgaven"),
        Column("sector", CATEGORY, allowed=tuple(EMISSION_SECTORS + EMISSION_TOTALS),
               description="Sektor, eller en total med eller uden landbrug"),
        Column("unit", CATEGORY, allowed=tuple(EMISSION_UNITS),
               description="Enheden: t_co2e, t_co2e_per_inhabitant eller t_co2e_per_km2"),
        Column("value", FLOAT, description="Udledningen i enheden"),
    ),
    description="The municipality's territorial greenhouse-gas account: one row per data year, "
                "sector and unit, as one edition (report year) delivered it.",
    danish_name="Klimaregnskab",
    optional=True,
    index_columns=("data_year", "sector", "unit", "value"),
)

# The plain-table delivery form of `emissions` (emissions.csv or .xlsx, e.g. from a consultant):
# one row per data year and sector. The ingester turns each value cell into one `emissions` row.
EMISSIONS_TABLE = Dataset(
    "emissions", None, (
        Column("year", INT, description="Dataåret, fx 2022"),
        Column("sector", CATEGORY, allowed=tuple(EMISSION_SECTORS + EMISSION_TOTALS[:2]),
               description="Sektor, eller samlet_med_landbrug / samlet_uden_landbrug"),
        Column("t_co2e", FLOAT, description="Udledning i ton CO2e"),
        Column("t_co2e_per_inhabitant", FLOAT, required=False,
               description="Udledning i ton CO2e pr. indbygger; kolonnen må udelades"),
    ),
    description="emissions delivered as a table: data year, sector, t CO2e (and per inhabitant).",
    danish_name="Klimaregnskab",
)

# The municipality as an enterprise (issue 12): energy and water of its own buildings, and the fuel and
# electricity of its own transport, per delivery year. Optional: a municipality that does not deliver
# them gets no completeness warning, and its report has no "Kommunen som virksomhed" figures.
ENERGY_BASES = ["maalt", "estimeret"]  # delivered as "målt" / "estimeret"
TRANSPORT_SOURCES = ["egne_koeretoejer", "taxakoersel", "koersel_i_egen_bil"]
TRANSPORT_FUELS = ["diesel", "benzin", "el", "hvo", "biogas", "gas", "brint"]
TRANSPORT_UNITS = ["l", "kwh", "kg", "nm3", "km"]  # "Nm³" is delivered; km only for koersel_i_egen_bil
# The units each fuel may be delivered in (validation: transport_energy_unit_fits_fuel); any fuel may
# also come as km, but only from the sources in DISTANCE_SOURCES (transport_energy_km_only_for_own_car).
TRANSPORT_FUEL_UNITS = {"diesel": ("l",), "benzin": ("l",), "el": ("kwh",), "hvo": ("l",),
                        "biogas": ("kg", "nm3"), "gas": ("kg", "nm3"), "brint": ("kg", "nm3")}
DISTANCE_UNIT, DISTANCE_SOURCES = "km", ("koersel_i_egen_bil",)
ENERGY_BASIS_DA = {"maalt": "målt", "estimeret": "estimeret"}
TRANSPORT_SOURCE_DA = {"egne_koeretoejer": "Egne køretøjer", "taxakoersel": "Taxakørsel",
                       "koersel_i_egen_bil": "Kørsel i egen bil"}
TRANSPORT_FUEL_DA = {"diesel": "Diesel", "benzin": "Benzin", "el": "El", "hvo": "HVO", "biogas": "Biogas",
                     "gas": "Gas", "brint": "Brint"}

assert list(TRANSPORT_FUEL_UNITS) == TRANSPORT_FUELS and list(TRANSPORT_SOURCE_DA) == TRANSPORT_SOURCES
assert {u for units in TRANSPORT_FUEL_UNITS.values() for u in units} | {DISTANCE_UNIT} == set(TRANSPORT_UNITS)


def transport_unit_pairs() -> list[list[str]]:
    """Every allowed (fuel, unit) pair, km included, in schema order (the suite's value_pairs_set)."""
    return [[fuel, unit] for fuel in TRANSPORT_FUELS for unit in (*TRANSPORT_FUEL_UNITS[fuel], DISTANCE_UNIT)]


DATASETS["building_energy"] = Dataset(
    "building_energy", "building_id", (
        Column("building_id", TEXT, description="Bygningens id, som i buildings (kommunale bygninger)"),
        Column("electricity_kwh", FLOAT, required=False, description="Elforbrug i året, kWh"),
        Column("district_heating_kwh", FLOAT, required=False, description="Fjernvarme i året, kWh"),
        Column("natural_gas_m3", FLOAT, required=False, description="Naturgas i året, m³ (eller natural_gas_kwh)"),
        Column("natural_gas_kwh", FLOAT, required=False, description="Naturgas i året, kWh (eller natural_gas_m3)"),
        Column("heating_oil_l", FLOAT, required=False, description="Fyringsolie i året, liter"),
        Column("water_m3", FLOAT, required=False, description="Vandforbrug i året, m³"),
        Column("basis", CATEGORY, allowed=tuple(ENERGY_BASES),
               description="målt (aflæst måler) eller estimeret"),
    ),
    description="One row per municipal building: its energy and water use in YEAR, metered or estimated.",
    danish_name="Bygningernes energi- og vandforbrug",
    optional=True,
)
DATASETS["transport_energy"] = Dataset(
    "transport_energy", None, (
        Column("source", CATEGORY, allowed=tuple(TRANSPORT_SOURCES),
               description="egne køretøjer, taxakørsel eller kørsel i egen bil"),
        Column("fuel", CATEGORY, allowed=tuple(TRANSPORT_FUELS),
               description="diesel, benzin, el, hvo, biogas, gas eller brint"),
        Column("amount", FLOAT, description="Mængden i året i enheden i kolonnen unit"),
        Column("unit", CATEGORY, allowed=tuple(TRANSPORT_UNITS),
               description="l, kWh, kg, Nm³ eller km (km kun for kørsel i egen bil)"),
    ),
    description="Fuel and electricity used by the municipality's own transport in YEAR, by source and fuel.",
    danish_name="Transportens energiforbrug",
    optional=True,
    index_columns=("source", "fuel", "unit"),
)

DATASET_NAMES = list(DATASETS)
REQUIRED_DATASETS = [name for name, d in DATASETS.items() if not d.optional]
