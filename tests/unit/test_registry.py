"""The municipality registry: 98 codes, slugs, and lookups by code only."""

import pytest

from pipeline import registry


def test_registry_has_98_municipalities_in_five_regions():
    munis = registry.load()
    assert len(munis) == 98
    assert {m.region for m in munis.values()} == {"Hovedstaden", "Sjælland", "Syddanmark", "Midtjylland",
                                                   "Nordjylland"}


@pytest.mark.parametrize("code,slug", [(151, "151-ballerup"), (101, "101-koebenhavn"), (825, "825-laesoe"),
                                       (492, "492-aeroe"), (741, "741-samsoe"), (766, "766-hedensted")])
def test_slugs_are_ascii_with_danish_letters_spelled_out(code, slug):
    assert registry.get(code).slug == slug
    assert registry.get(code).slug.isascii()


def test_all_slugs_unique_and_ascii():
    slugs = [m.slug for m in registry.load().values()]
    assert len(set(slugs)) == 98 and all(s.isascii() and s == s.lower() for s in slugs)


@pytest.mark.parametrize("given", ["151", 151, " 151 ", "0151"])
def test_lookup_by_code_in_any_form(given):
    assert registry.get(given).name == "Ballerup"


@pytest.mark.parametrize("given,message", [("999", "findes ikke i kommuneregistret"),
                                           ("Ballerup", "er ikke en kommunekode")])
def test_unknown_code_is_refused_with_a_message(given, message):
    with pytest.raises(KeyError, match=message):
        registry.get(given)


def test_official_names():
    assert registry.get(101).official_name == "Københavns Kommune"
    assert registry.get(151).official_name == "Ballerup Kommune"


def test_registry_matches_shared_reference():
    from pathlib import Path

    shared = Path(__file__).resolve().parents[3] / "shared" / "reference" / "municipalities.csv"
    if not shared.exists():
        pytest.skip("shared/reference is not beside this checkout")
    local = Path(__file__).resolve().parents[2] / "data" / "reference" / "municipalities.csv"
    assert local.read_text(encoding="utf-8") == shared.read_text(encoding="utf-8")
