"""Checks on the curated gazetteer data in extractors/data/.

These tests read the YAML files directly (not through the tagger's loader) and
assert properties the loader and the tagger rely on: well-formed and unique ids,
coverage of the USGS 2025 critical-minerals list, alias uniqueness, referential
integrity between officials and organizations, sane tenure dates, and a
blocklist that cannot delete real gazetteer entries.
"""

from __future__ import annotations

import datetime as dt
import gettext
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import pycountry
import yaml

from tests.conftest import ROOT

DATA_DIR = ROOT / "extractors" / "data"

MINERAL_ID = re.compile(r"^mineral:[a-z0-9]+(?:-[a-z0-9]+)*$")
ORG_ID = re.compile(r"^organization:[a-z0-9]+(?:-[a-z0-9]+)*$")
PERSON_ID = re.compile(r"^person:[a-z0-9]+(?:-[a-z0-9]+)*$")
COUNTRY_REF = re.compile(r"^country:([A-Z]{2})$")
TOKEN = re.compile(r"\w+|[^\w\s]")

MINERAL_LISTS = frozenset({"usgs-2022", "usgs-2025", "eu-2023"})
ORG_KINDS = frozenset(
    {"agency", "ministry", "intergovernmental", "company", "media", "association", "other"}
)


def _names(csv: str) -> frozenset[str]:
    """Comma-separated names (names may contain spaces) -> frozenset."""
    return frozenset(part.strip() for part in csv.split(",") if part.strip())


USGS_2022 = _names(
    """aluminum, antimony, arsenic, barite, beryllium, bismuth, cerium, cesium, chromium,
    cobalt, dysprosium, erbium, europium, fluorspar, gadolinium, gallium, germanium,
    graphite, hafnium, holmium, indium, iridium, lanthanum, lithium, lutetium, magnesium,
    manganese, neodymium, nickel, niobium, palladium, platinum, praseodymium, rhodium,
    rubidium, ruthenium, samarium, scandium, tantalum, tellurium, terbium, thulium, tin,
    titanium, tungsten, vanadium, ytterbium, yttrium, zinc, zirconium"""
)
USGS_2025_ADDED = _names(
    """boron, copper, lead, metallurgical coal, phosphate, potash, rhenium, silicon,
    silver, uranium"""
)
USGS_2025 = USGS_2022 | USGS_2025_ADDED

LANTHANIDES = _names(
    """lanthanum, cerium, praseodymium, neodymium, promethium, samarium, europium,
    gadolinium, terbium, dysprosium, holmium, erbium, thulium, ytterbium, lutetium"""
)


# ---------------------------------------------------------------------------
# Typed views of the YAML files
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Mineral:
    id: str
    name: str
    lists: tuple[str, ...]
    aliases: tuple[str, ...]
    ambiguous: tuple[str, ...]
    members: tuple[str, ...]


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    kind: str
    country: str | None
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Role:
    title: str
    organization: str | None
    country: str | None
    start: dt.date | None
    end: dt.date | None


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    aliases: tuple[str, ...]
    roles: tuple[Role, ...]


@dataclass(frozen=True)
class CountryExtra:
    code: str
    aliases: tuple[str, ...]
    demonyms: tuple[str, ...]


@dataclass(frozen=True)
class Countries:
    entries: tuple[CountryExtra, ...]
    exclude: tuple[str, ...]


@dataclass(frozen=True)
class Blocklist:
    case_sensitive: tuple[str, ...]
    case_insensitive: tuple[str, ...]


def _load(name: str) -> object:
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        loaded: object = yaml.safe_load(fh)
    return loaded


def _as_list(value: object, where: str) -> list[object]:
    assert isinstance(value, list), f"{where}: expected a list, got {type(value).__name__}"
    return [item for item in value]


def _as_mapping(value: object, where: str) -> dict[str, object]:
    assert isinstance(value, dict), f"{where}: expected a mapping, got {type(value).__name__}"
    out: dict[str, object] = {}
    for key, item in value.items():
        assert isinstance(key, str), f"{where}: non-string key {key!r}"
        out[key] = item
    return out


def _as_str(value: object, where: str) -> str:
    assert isinstance(value, str), f"{where}: expected a string, got {value!r}"
    assert value, f"{where}: empty string"
    assert value == value.strip(), f"{where}: padded string {value!r}"
    return value


def _as_opt_str(value: object, where: str) -> str | None:
    return None if value is None else _as_str(value, where)


def _as_str_tuple(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(_as_str(item, where) for item in _as_list(value, where))


def _as_opt_date(value: object, where: str) -> dt.date | None:
    if value is None:
        return None
    # yaml.safe_load turns an unquoted ISO date into datetime.date; anything else
    # (a quoted string, a partial date, a datetime) is a data error.
    assert isinstance(value, dt.date), f"{where}: expected an ISO date or null, got {value!r}"
    assert not isinstance(value, dt.datetime), f"{where}: expected a date, got {value!r}"
    return value


def _check_keys(
    entry: dict[str, object], required: set[str], optional: set[str], where: str
) -> None:
    keys = set(entry)
    assert required <= keys, f"{where}: missing keys {sorted(required - keys)}"
    assert keys <= required | optional, (
        f"{where}: unknown keys {sorted(keys - required - optional)}"
    )


@cache
def minerals() -> tuple[Mineral, ...]:
    out: list[Mineral] = []
    for i, raw in enumerate(_as_list(_load("minerals.yaml"), "minerals.yaml")):
        where = f"minerals.yaml[{i}]"
        entry = _as_mapping(raw, where)
        _check_keys(
            entry, {"id", "name", "aliases"}, {"lists", "ambiguous", "members", "forms"}, where
        )
        out.append(
            Mineral(
                id=_as_str(entry["id"], where),
                name=_as_str(entry["name"], where),
                lists=_as_str_tuple(entry.get("lists"), where),
                aliases=_as_str_tuple(entry["aliases"], where),
                ambiguous=_as_str_tuple(entry.get("ambiguous"), where),
                members=_as_str_tuple(entry.get("members"), where),
            )
        )
    return tuple(out)


@cache
def organizations() -> tuple[Organization, ...]:
    out: list[Organization] = []
    for i, raw in enumerate(_as_list(_load("organizations.yaml"), "organizations.yaml")):
        where = f"organizations.yaml[{i}]"
        entry = _as_mapping(raw, where)
        _check_keys(entry, {"id", "name", "kind", "country", "aliases"}, set(), where)
        out.append(
            Organization(
                id=_as_str(entry["id"], where),
                name=_as_str(entry["name"], where),
                kind=_as_str(entry["kind"], where),
                country=_as_opt_str(entry["country"], where),
                aliases=_as_str_tuple(entry["aliases"], where),
            )
        )
    return tuple(out)


@cache
def officials() -> tuple[Person, ...]:
    out: list[Person] = []
    for i, raw in enumerate(_as_list(_load("officials.yaml"), "officials.yaml")):
        where = f"officials.yaml[{i}]"
        entry = _as_mapping(raw, where)
        _check_keys(entry, {"id", "name", "aliases", "roles"}, set(), where)
        roles: list[Role] = []
        for j, raw_role in enumerate(_as_list(entry["roles"], where)):
            rwhere = f"{where}.roles[{j}]"
            role = _as_mapping(raw_role, rwhere)
            _check_keys(role, {"title", "organization", "country", "start", "end"}, set(), rwhere)
            roles.append(
                Role(
                    title=_as_str(role["title"], rwhere),
                    organization=_as_opt_str(role["organization"], rwhere),
                    country=_as_opt_str(role["country"], rwhere),
                    start=_as_opt_date(role["start"], rwhere),
                    end=_as_opt_date(role["end"], rwhere),
                )
            )
        out.append(
            Person(
                id=_as_str(entry["id"], where),
                name=_as_str(entry["name"], where),
                aliases=_as_str_tuple(entry["aliases"], where),
                roles=tuple(roles),
            )
        )
    return tuple(out)


@cache
def countries() -> Countries:
    top = _as_mapping(_load("countries.yaml"), "countries.yaml")
    exclude = _as_str_tuple(top.get("_exclude"), "countries.yaml:_exclude")
    entries: list[CountryExtra] = []
    for code, raw in top.items():
        if code == "_exclude":
            continue
        where = f"countries.yaml:{code}"
        entry = _as_mapping(raw, where)
        _check_keys(entry, set(), {"aliases", "demonyms"}, where)
        entries.append(
            CountryExtra(
                code=code,
                aliases=_as_str_tuple(entry.get("aliases"), where),
                demonyms=_as_str_tuple(entry.get("demonyms"), where),
            )
        )
    return Countries(entries=tuple(entries), exclude=exclude)


@cache
def blocklist() -> Blocklist:
    top = _as_mapping(_load("blocklist.yaml"), "blocklist.yaml")
    _check_keys(top, {"case_sensitive", "case_insensitive"}, set(), "blocklist.yaml")
    return Blocklist(
        case_sensitive=_as_str_tuple(top["case_sensitive"], "blocklist.yaml:case_sensitive"),
        case_insensitive=_as_str_tuple(top["case_insensitive"], "blocklist.yaml:case_insensitive"),
    )


@cache
def alpha2_codes() -> frozenset[str]:
    codes: set[str] = set()
    for country in pycountry.countries:
        code = getattr(country, "alpha_2", None)
        if isinstance(code, str):
            codes.add(code)
    return frozenset(codes)


def _mineral_by_id() -> dict[str, Mineral]:
    return {m.id: m for m in minerals()}


def _org_by_id() -> dict[str, Organization]:
    return {o.id: o for o in organizations()}


def _person_by_id() -> dict[str, Person]:
    return {p.id: p for p in officials()}


def _country_alias_index() -> dict[str, str]:
    """Every alias and demonym in countries.yaml -> alpha-2 (exact, case-sensitive)."""
    index: dict[str, str] = {}
    for entry in countries().entries:
        for surface in (*entry.aliases, *entry.demonyms):
            index[surface] = entry.code
    return index


def _assert_unique(items: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    dupes: set[str] = set()
    for item in items:
        (dupes if item in seen else seen).add(item)
    assert not dupes, f"duplicate {what}: {sorted(dupes)}"


def _assert_alias_owners_unique(pairs: Iterable[tuple[str, str]], what: str) -> None:
    owners: dict[str, set[str]] = {}
    for alias, owner in pairs:
        owners.setdefault(alias, set()).add(owner)
    clashes = {alias: sorted(ids) for alias, ids in owners.items() if len(ids) > 1}
    assert not clashes, f"{what} aliases mapping to several ids: {clashes}"


def _assert_valid_country_ref(ref: str | None, where: str) -> None:
    if ref is None:
        return
    match = COUNTRY_REF.match(ref)
    assert match is not None, f"{where}: malformed country reference {ref!r}"
    assert match.group(1) in alpha2_codes(), f"{where}: {ref!r} is not an ISO alpha-2 code"


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(TOKEN.findall(text))


def _contains_tokens(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


# ---------------------------------------------------------------------------
# minerals.yaml
# ---------------------------------------------------------------------------


def test_mineral_ids_well_formed_and_unique() -> None:
    ids = [m.id for m in minerals()]
    bad = [i for i in ids if not MINERAL_ID.match(i)]
    assert not bad, f"malformed mineral ids: {bad}"
    _assert_unique(ids, "mineral ids")
    _assert_unique((m.name for m in minerals()), "mineral names")


def test_mineral_lists_are_known() -> None:
    for m in minerals():
        unknown = set(m.lists) - MINERAL_LISTS
        assert not unknown, f"{m.id}: unknown lists {sorted(unknown)}"
        _assert_unique(m.lists, f"lists of {m.id}")


def test_every_usgs_2025_mineral_is_tagged() -> None:
    by_name = {m.name: m for m in minerals()}
    missing = sorted(USGS_2025 - by_name.keys())
    assert not missing, f"USGS 2025 minerals without an entry: {missing}"
    untagged = sorted(n for n in USGS_2025 if "usgs-2025" not in by_name[n].lists)
    assert not untagged, f"USGS 2025 minerals not tagged usgs-2025: {untagged}"
    tagged = {m.name for m in minerals() if "usgs-2025" in m.lists}
    assert len(USGS_2025) == 60
    assert tagged == USGS_2025, f"unexpected usgs-2025 tags: {sorted(tagged ^ USGS_2025)}"


def test_usgs_2022_tags_match_the_2022_list() -> None:
    tagged = {m.name for m in minerals() if "usgs-2022" in m.lists}
    assert len(USGS_2022) == 50
    assert tagged == USGS_2022, f"unexpected usgs-2022 tags: {sorted(tagged ^ USGS_2022)}"
    for m in minerals():
        if "usgs-2022" in m.lists:
            assert "usgs-2025" in m.lists, f"{m.id}: on the 2022 list but not the 2025 list"


def test_eu_2023_materials_are_tagged() -> None:
    by_id = _mineral_by_id()
    expected = _names(
        """aluminum, antimony, arsenic, barite, bauxite, beryllium, bismuth, boron, cobalt,
        copper, feldspar, fluorspar, gallium, germanium, graphite, hafnium, helium,
        heavy-rare-earth-elements, light-rare-earth-elements, lithium, magnesium, manganese,
        metallurgical-coal, nickel, niobium, phosphate, phosphorus, platinum-group-metals,
        scandium, silicon, strontium, tantalum, titanium, tungsten, vanadium"""
    )
    for slug in sorted(expected):
        mineral = by_id.get(f"mineral:{slug}")
        assert mineral is not None, f"missing EU 2023 material mineral:{slug}"
        assert "eu-2023" in mineral.lists, f"mineral:{slug} not tagged eu-2023"
    for slug in ("tin", "zinc", "lead", "silver", "potash", "uranium", "gold", "coal"):
        assert "eu-2023" not in by_id[f"mineral:{slug}"].lists, f"mineral:{slug} is not EU-critical"


def test_mineral_aliases_well_formed() -> None:
    for m in minerals():
        assert m.aliases, f"{m.id}: no aliases"
        folded = [a.casefold() for a in m.aliases]
        _assert_unique(folded, f"aliases of {m.id} (case-insensitive)")
        assert m.name.casefold() in folded, f"{m.id}: canonical name is not an alias"
        # No chemical symbols (Li, Co, Sn ...): every alias has at least 3 characters.
        short = [a for a in m.aliases if len(a) < 3]
        assert not short, f"{m.id}: too-short aliases {short}"


def test_ambiguous_aliases_are_aliases() -> None:
    for m in minerals():
        extra = set(m.ambiguous) - set(m.aliases)
        assert not extra, f"{m.id}: ambiguous entries not in aliases: {sorted(extra)}"


def test_common_word_minerals_are_marked_ambiguous() -> None:
    by_id = _mineral_by_id()
    for mineral_id, word in [
        ("mineral:lead", "lead"),
        ("mineral:tin", "tin"),
        ("mineral:iron-ore", "iron"),
        ("mineral:gold", "gold"),
        ("mineral:silver", "silver"),
        ("mineral:nickel", "nickel"),
        ("mineral:platinum", "platinum"),
        ("mineral:mercury", "mercury"),
    ]:
        assert word in by_id[mineral_id].ambiguous, f"{mineral_id}: {word!r} not ambiguous"
    # Unambiguous multi-word forms stay unambiguous.
    assert "iron ore" not in by_id["mineral:iron-ore"].ambiguous
    assert "plata" not in by_id["mineral:silver"].ambiguous


def test_no_mineral_alias_maps_to_two_ids() -> None:
    _assert_alias_owners_unique(
        ((a.casefold(), m.id) for m in minerals() for a in m.aliases), "mineral"
    )


def test_required_mineral_ids_and_aliases() -> None:
    by_id = _mineral_by_id()
    required: dict[str, set[str]] = {
        "mineral:aluminum": {"aluminum", "aluminium", "aluminio"},
        "mineral:fluorspar": {"fluorspar", "fluorite", "fluorita", "espato flúor"},
        "mineral:barite": {"barite", "baryte", "barita"},
        "mineral:metallurgical-coal": {
            "metallurgical coal",
            "met coal",
            "coking coal",
            "carbón metalúrgico",
            "carbón coquizable",
        },
        "mineral:phosphate": {
            "phosphate",
            "phosphates",
            "phosphate rock",
            "fosfato",
            "roca fosfórica",
        },
        "mineral:potash": {"potash", "potasa"},
        "mineral:rare-earth-elements": {
            "rare earth elements",
            "rare-earth elements",
            "rare earths",
            "rare earth",
            "rare-earth",
            "REE",
            "REEs",
            "tierras raras",
            "elementos de tierras raras",
        },
        "mineral:platinum-group-metals": {
            "PGMs",
            "PGM",
            "platinum group metals",
            "platinum group elements",
            "metales del grupo del platino",
        },
        "mineral:copper": {"copper", "cobre"},
        "mineral:lead": {"lead", "plomo"},
        "mineral:silver": {"silver", "plata"},
        "mineral:tin": {"tin", "estaño"},
        "mineral:gold": {"gold", "oro"},
        "mineral:graphite": {"graphite", "grafito"},
        "mineral:antimony": {"antimony", "antimonio"},
        "mineral:zinc": {"zinc"},
        "mineral:uranium": {"uranium", "uranio"},
        "mineral:boron": {"boron"},
        "mineral:rhenium": {"rhenium"},
        "mineral:silicon": {"silicon", "silicio"},
        "mineral:cobalt": {"cobalt", "cobalto"},
        "mineral:lithium": {"lithium", "litio"},
        "mineral:tungsten": {"tungsten", "wolframio", "tungsteno"},
        "mineral:niobium": {"niobium", "niobio"},
        "mineral:tantalum": {"tantalum", "tántalo"},
        "mineral:iron-ore": {"iron ore", "iron", "hierro", "mineral de hierro"},
        "mineral:coal": {"coal", "thermal coal"},
        "mineral:molybdenum": {"molybdenum"},
    }
    for mineral_id, aliases in required.items():
        mineral = by_id.get(mineral_id)
        assert mineral is not None, f"missing {mineral_id}"
        missing = aliases - set(mineral.aliases)
        assert not missing, f"{mineral_id}: missing aliases {sorted(missing)}"
    all_aliases = {a.casefold() for m in minerals() for a in m.aliases}
    for forbidden in ("silicone", "silicona", "leading", "leads", "carbon", "li", "co", "sn"):
        assert forbidden not in all_aliases, f"{forbidden!r} must not be a mineral alias"


def test_usgs_minerals_have_a_spanish_name() -> None:
    # Every USGS-listed mineral has at least one alias beyond its English name(s);
    # for most that is the Spanish name. Identical spellings (zinc) are exempt.
    same_in_spanish = {"zinc"}
    for m in minerals():
        if "usgs-2025" in m.lists and m.name not in same_in_spanish:
            assert len(m.aliases) >= 2, f"{m.id}: no Spanish alias"


def test_groups_and_members() -> None:
    by_id = _mineral_by_id()
    for m in minerals():
        for member in m.members:
            assert member in by_id, f"{m.id}: unknown member {member}"
            assert member != m.id, f"{m.id}: member of itself"
            assert not by_id[member].members, f"{m.id}: nested group {member}"
        assert "usgs-2025" not in m.lists or not m.members, f"{m.id}: groups are not USGS items"
    ree = {by_id[i].name for i in by_id["mineral:rare-earth-elements"].members}
    assert ree == LANTHANIDES | {"yttrium", "scandium"}
    pgm = {by_id[i].name for i in by_id["mineral:platinum-group-metals"].members}
    assert pgm == {"iridium", "osmium", "palladium", "platinum", "rhodium", "ruthenium"}
    for subgroup in ("mineral:heavy-rare-earth-elements", "mineral:light-rare-earth-elements"):
        assert set(by_id[subgroup].members) <= set(by_id["mineral:rare-earth-elements"].members)


# ---------------------------------------------------------------------------
# countries.yaml
# ---------------------------------------------------------------------------


def test_country_keys_are_alpha2() -> None:
    codes = alpha2_codes()
    bad = [e.code for e in countries().entries if e.code not in codes]
    assert not bad, f"countries.yaml keys that are not ISO alpha-2: {bad}"
    assert countries().exclude, "_exclude should list ambiguous pycountry names"


def test_country_aliases_unique() -> None:
    for entry in countries().entries:
        _assert_unique((*entry.aliases, *entry.demonyms), f"aliases of {entry.code}")
    _assert_alias_owners_unique(
        (
            (surface, entry.code)
            for entry in countries().entries
            for surface in (*entry.aliases, *entry.demonyms)
        ),
        "country",
    )


def test_no_regional_adjectives_or_pronouns_as_countries() -> None:
    index = _country_alias_index()
    forbidden = (
        "European",
        "Europeans",
        "North American",
        "Latin American",
        "South American",
        "Central American",
        "African",
        "Asian",
        "Arab",
        "Western",
        "EU",
        "us",
        "Us",
        "turkey",
        "chad",
        "china",
    )
    for word in forbidden:
        assert word not in index, f"{word!r} must not map to a country"


def test_required_country_short_forms() -> None:
    index = _country_alias_index()
    expected = {
        "US": "US",
        "U.S.": "US",
        "USA": "US",
        "United States": "US",
        "Estados Unidos": "US",
        "EE.UU.": "US",
        "American": "US",
        "Americans": "US",
        "UK": "GB",
        "U.K.": "GB",
        "Britain": "GB",
        "Great Britain": "GB",
        "British": "GB",
        "South Korea": "KR",
        "Korea": "KR",
        "North Korea": "KP",
        "DRC": "CD",
        "DR Congo": "CD",
        "Congo-Kinshasa": "CD",
        "Congo": "CD",
        "Congolese": "CD",
        "Congo-Brazzaville": "CG",
        "Republic of the Congo": "CG",
        "Russia": "RU",
        "Iran": "IR",
        "Syria": "SY",
        "Vietnam": "VN",
        "Laos": "LA",
        "Bolivia": "BO",
        "Venezuela": "VE",
        "Tanzania": "TZ",
        "Moldova": "MD",
        "Taiwan": "TW",
        "Turkey": "TR",
        "Türkiye": "TR",
        "Czechia": "CZ",
        "Czech Republic": "CZ",
        "Ivory Coast": "CI",
        "Côte d'Ivoire": "CI",
        "UAE": "AE",
        "Emirates": "AE",
        "Saudi Arabia": "SA",
        "Micronesia": "FM",
        "Palestine": "PS",
        "Mexico": "MX",
        "México": "MX",
        "Mexican": "MX",
        "Chinese": "CN",
        "Canadian": "CA",
        "Australian": "AU",
        "Chilean": "CL",
        "Peruvian": "PE",
        "Bolivian": "BO",
        "Argentine": "AR",
        "Argentinian": "AR",
        "Brazilian": "BR",
        "Indonesian": "ID",
        "Filipino": "PH",
        "South African": "ZA",
        "Zambian": "ZM",
        "Zimbabwean": "ZW",
        "Russian": "RU",
        "Kazakh": "KZ",
        "Ukrainian": "UA",
        "Indian": "IN",
        "Japanese": "JP",
        "German": "DE",
        "French": "FR",
        "Italian": "IT",
        "Spanish": "ES",
        "Swedish": "SE",
        "Finnish": "FI",
        "Norwegian": "NO",
        "Polish": "PL",
        "Turkish": "TR",
        "Saudi": "SA",
        "Emirati": "AE",
        "Moroccan": "MA",
        "Guinean": "GN",
        "Ghanaian": "GH",
        "Malian": "ML",
        "Namibian": "NA",
        "Mongolian": "MN",
        "Vietnamese": "VN",
        "Thai": "TH",
        "Malaysian": "MY",
        "Burmese": "MM",
        "Canadá": "CA",
        "Japón": "JP",
        "Alemania": "DE",
        "Francia": "FR",
        "Reino Unido": "GB",
        "Corea del Sur": "KR",
        "China": "CN",
        "India": "IN",
        "Brasil": "BR",
        "Perú": "PE",
        "Chile": "CL",
        "Argentina": "AR",
        "Australia": "AU",
        "Italia": "IT",
        "España": "ES",
        "Rusia": "RU",
        "Sudáfrica": "ZA",
    }
    wrong = {k: (index.get(k), v) for k, v in expected.items() if index.get(k) != v}
    assert not wrong, f"country surface -> (found, expected): {wrong}"


def test_country_exclusions() -> None:
    exclude = set(countries().exclude)
    for name in ("Georgia", "Jersey", "Congo"):
        assert name in exclude, f"{name!r} should be excluded from pycountry matching"
    for kept in ("Chad", "Niger", "Jordan", "Guinea"):
        assert kept not in exclude, f"{kept!r} is a real country name and must stay"
    # Every excluded name except those re-mapped on purpose is absent from the aliases.
    index = _country_alias_index()
    remapped = {"Congo"}
    leaked = sorted(n for n in exclude - remapped if n in index)
    assert not leaked, f"excluded names re-added as aliases: {leaked}"


def test_country_aliases_agree_with_pycountry() -> None:
    """An alias naming another country in pycountry must be excluded there first."""
    spanish = gettext.translation("iso3166-1", str(pycountry.LOCALES_DIR), languages=["es"])
    pycountry_names: dict[str, set[str]] = {}
    for country in pycountry.countries:
        code = getattr(country, "alpha_2", None)
        assert isinstance(code, str)
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if isinstance(value, str):
                pycountry_names.setdefault(value, set()).add(code)
                if attr == "name":
                    pycountry_names.setdefault(spanish.gettext(value), set()).add(code)
    exclude = set(countries().exclude)
    conflicts = sorted(
        f"{alias} -> {code} (pycountry: {sorted(pycountry_names[alias])})"
        for alias, code in _country_alias_index().items()
        if alias in pycountry_names and code not in pycountry_names[alias] and alias not in exclude
    )
    assert not conflicts, f"aliases contradicting pycountry: {conflicts}"


# ---------------------------------------------------------------------------
# organizations.yaml
# ---------------------------------------------------------------------------


def test_organization_schema() -> None:
    orgs = organizations()
    assert len(orgs) >= 150, f"only {len(orgs)} organizations"
    ids = [o.id for o in orgs]
    bad = [i for i in ids if not ORG_ID.match(i)]
    assert not bad, f"malformed organization ids: {bad}"
    _assert_unique(ids, "organization ids")
    for o in orgs:
        assert o.kind in ORG_KINDS, f"{o.id}: unknown kind {o.kind!r}"
        _assert_valid_country_ref(o.country, o.id)
        if o.kind == "intergovernmental":
            assert o.country is None, f"{o.id}: intergovernmental bodies have no country"
        assert o.aliases, f"{o.id}: no aliases"
        _assert_unique(o.aliases, f"aliases of {o.id}")


def test_no_organization_alias_maps_to_two_ids() -> None:
    _assert_alias_owners_unique(
        ((a, o.id) for o in organizations() for a in o.aliases), "organization"
    )


def test_no_ambiguous_organization_aliases() -> None:
    aliases = {a for o in organizations() for a in o.aliases}
    for bad in (
        "AP",
        "EC",
        "SE",
        "AU",
        "BIS",
        "MSP",
        "DOI",
        "ITC",
        "Commission",
        "the Commission",
        "Finance Ministry",
        "Ministry of Finance",
        "Ministry of Commerce",
        "Ministry of Economy",
        "Economy Ministry",
        "Treasury",
        "Commerce",
        "Interior",
        "Hacienda",
        "Sener",
        "Fresnillo",
        "Antofagasta",
        "Gobierno de México",
    ):
        assert bad not in aliases, f"{bad!r} is too ambiguous to be an organization alias"


def test_required_organizations() -> None:
    by_id = _org_by_id()
    required: dict[str, set[str]] = {
        "organization:usgs": {
            "U.S. Geological Survey",
            "US Geological Survey",
            "United States Geological Survey",
            "USGS",
            "Servicio Geológico de Estados Unidos",
        },
        "organization:us-department-of-the-interior": {
            "U.S. Department of the Interior",
            "US Department of the Interior",
            "Department of the Interior",
            "Interior Department",
        },
        "organization:european-commission": {"European Commission", "European Commissioner"},
        "organization:european-union": {"European Union", "EU", "Unión Europea"},
        "organization:pacific-alliance": {"Pacific Alliance", "Alianza del Pacífico"},
        "organization:reuters": {"Reuters"},
        "organization:el-economista": {"El Economista"},
        "organization:mexico-business-news": {"Mexico Business News", "MBN"},
        "organization:mexico-news-daily": {"Mexico News Daily"},
        "organization:shcp": {"SHCP", "Secretaría de Hacienda y Crédito Público"},
        "organization:oecd": {"OECD"},
    }
    for org_id, aliases in required.items():
        org = by_id.get(org_id)
        assert org is not None, f"missing {org_id}"
        missing = aliases - set(org.aliases)
        assert not missing, f"{org_id}: missing aliases {sorted(missing)}"
    assert by_id["organization:usgs"].country == "country:US"
    assert by_id["organization:european-union"].country is None


# ---------------------------------------------------------------------------
# officials.yaml
# ---------------------------------------------------------------------------


def test_official_schema_and_ids() -> None:
    people = officials()
    ids = [p.id for p in people]
    bad = [i for i in ids if not PERSON_ID.match(i)]
    assert not bad, f"malformed person ids: {bad}"
    _assert_unique(ids, "person ids")
    for p in people:
        assert p.aliases, f"{p.id}: no aliases"
        assert p.name in p.aliases, f"{p.id}: canonical name is not an alias"
        _assert_unique(p.aliases, f"aliases of {p.id}")
        assert p.roles, f"{p.id}: no roles"


def test_no_person_alias_maps_to_two_ids() -> None:
    _assert_alias_owners_unique(((a, p.id) for p in officials() for a in p.aliases), "person")


def test_official_roles_reference_known_entities() -> None:
    orgs = _org_by_id()
    for p in officials():
        for role in p.roles:
            where = f"{p.id} ({role.title})"
            if role.organization is not None:
                assert role.organization in orgs, f"{where}: unknown {role.organization}"
            _assert_valid_country_ref(role.country, where)


def test_tenure_dates_are_ordered() -> None:
    for p in officials():
        for role in p.roles:
            if role.start is not None and role.end is not None:
                assert role.start <= role.end, f"{p.id} ({role.title}): start after end"


def test_required_officials() -> None:
    by_id = _person_by_id()

    amador = by_id["person:edgar-amador-zamora"]
    assert amador.name == "Édgar Amador Zamora"
    assert {"Édgar Amador Zamora", "Edgar Amador Zamora", "Édgar Amador", "Edgar Amador"} <= set(
        amador.aliases
    )
    assert "Zamora" not in amador.aliases
    assert "Amador" not in amador.aliases
    finance = [r for r in amador.roles if r.organization == "organization:shcp" and r.end is None]
    assert len(finance) == 1
    assert finance[0].country == "country:MX"
    assert finance[0].start is not None
    assert finance[0].start.year == 2025
    assert finance[0].start.month == 3

    mamula = by_id["person:ned-mamula"]
    assert any(
        r.organization == "organization:usgs" and r.country == "country:US" for r in mamula.roles
    )

    trump = by_id["person:donald-trump"]
    assert {"Donald Trump", "Donald J. Trump", "Trump"} <= set(trump.aliases)
    terms = sorted((r.start, r.end) for r in trump.roles if r.start is not None)
    assert terms == [
        (dt.date(2017, 1, 20), dt.date(2021, 1, 20)),
        (dt.date(2025, 1, 20), None),
    ]

    for person_id in (
        "person:claudia-sheinbaum",
        "person:marcelo-ebrard",
        "person:rogelio-ramirez-de-la-o",
        "person:joe-biden",
        "person:mark-carney",
        "person:anthony-albanese",
        "person:ursula-von-der-leyen",
        "person:xi-jinping",
    ):
        assert person_id in by_id, f"missing {person_id}"


# ---------------------------------------------------------------------------
# blocklist.yaml and cross-file consistency
# ---------------------------------------------------------------------------


def test_blocklist_entries() -> None:
    bl = blocklist()
    _assert_unique(bl.case_sensitive, "case_sensitive blocklist phrases")
    _assert_unique((p.casefold() for p in bl.case_insensitive), "case_insensitive phrases")
    for phrase in (
        "List of Critical Minerals",
        "Energy Act",
        "Executive Order",
        "New Mexican",
        "Gulf of Mexico",
        "Silicon Valley",
        "North American",
        "Latin America",
    ):
        assert phrase in bl.case_sensitive, f"{phrase!r} missing from case_sensitive"
    for phrase in ("gold standard", "silver lining", "iron out", "lead time", "take the lead"):
        assert phrase in bl.case_insensitive, f"{phrase!r} missing from case_insensitive"
    # Places that really are in Mexico must not be blocked.
    assert "Mexico City" not in bl.case_sensitive
    # "lead to" is ambiguous ("shipped zinc and lead to China") and must not be blocked.
    assert "lead to" not in {p.casefold() for p in bl.case_insensitive}


def test_blocklist_never_deletes_a_gazetteer_alias() -> None:
    """A blocklist phrase inside a real alias would remove that entity wherever it occurs."""
    aliases: list[tuple[str, str]] = []
    aliases += [(a, m.id) for m in minerals() for a in m.aliases]
    aliases += [(a, o.id) for o in organizations() for a in o.aliases]
    aliases += [(a, p.id) for p in officials() for a in p.aliases]
    aliases += [(a, f"country:{code}") for a, code in _country_alias_index().items()]
    bl = blocklist()
    sensitive = [_tokens(p) for p in bl.case_sensitive]
    insensitive = [_tokens(p.casefold()) for p in bl.case_insensitive]
    clashes: list[str] = []
    for alias, owner in aliases:
        toks = _tokens(alias)
        folded = _tokens(alias.casefold())
        for phrase in sensitive:
            if _contains_tokens(toks, phrase):
                clashes.append(f"{' '.join(phrase)!r} in {alias!r} ({owner})")
        for phrase in insensitive:
            if _contains_tokens(folded, phrase):
                clashes.append(f"{' '.join(phrase)!r} in {alias!r} ({owner})")
    assert not clashes, "blocklist phrases inside aliases: " + "; ".join(clashes)


def test_country_and_organization_aliases_are_disjoint() -> None:
    country_surfaces = set(_country_alias_index())
    org_aliases = {a for o in organizations() for a in o.aliases}
    person_aliases = {a for p in officials() for a in p.aliases}
    assert not (country_surfaces & org_aliases), sorted(country_surfaces & org_aliases)
    assert not (country_surfaces & person_aliases), sorted(country_surfaces & person_aliases)
    assert not (org_aliases & person_aliases), sorted(org_aliases & person_aliases)
