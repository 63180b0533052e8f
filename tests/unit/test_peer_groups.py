"""Peer groups: Danmarks Statistik's kommunegrupper as committed reference data, with its source, for
every code of the registry, and a file that breaks that is refused with the row and what to fix."""

import pandas as pd
import pytest

from pipeline import config, peer_groups, registry


def test_every_municipality_has_one_of_the_five_groups_with_its_source():
    groups = peer_groups.load()
    assert set(groups) == set(registry.load()) and len(groups) == 98
    assert set(groups.values()) == set(peer_groups.GROUPS)
    counts = pd.Series(groups).value_counts()
    assert counts.to_dict() == {"Landkommuner": 31, "Hovedstadskommuner": 24, "Oplandskommuner": 24,
                                "Provinsbykommuner": 16, "Storbykommuner": 3}
    assert "Danmarks Statistik" in peer_groups.source() and "2018" in peer_groups.source()
    assert peer_groups.notes() == {}, "every group was checked against two copies of DST's list"


@pytest.mark.parametrize("code, group", [(101, "Hovedstadskommuner"), (751, "Storbykommuner"),
                                         (730, "Provinsbykommuner"), (766, "Oplandskommuner"),
                                         (741, "Landkommuner"), (665, "Landkommuner"), (151, "Hovedstadskommuner")])
def test_the_sample_municipalities_groups(code, group):
    assert peer_groups.group_of(code) == group


def _broken(tmp_path, edit) -> str:
    df = pd.read_csv(config.MUNICIPALITY_GROUPS_CSV, dtype=str, keep_default_na=False)
    path = tmp_path / "municipality_groups.csv"
    edit(df).to_csv(path, index=False)
    return str(path)


def test_an_unknown_code_an_unknown_group_and_a_missing_code_are_each_named(tmp_path):
    def edit(df):
        df.loc[0, "code"] = "999"          # København's row now names no municipality: 101 has none
        df.loc[1, "group"] = "Forstadskommuner"
        return df

    with pytest.raises(peer_groups.PeerGroupError) as err:
        peer_groups.load(_broken(tmp_path, edit))
    message = str(err.value)
    assert "række 2: kommunekoden 999 findes ikke" in message
    assert "række 3: kommunegruppen 'Forstadskommuner' er ikke en af" in message
    assert "kommuner uden kommunegruppe: 101" in message


def test_a_duplicated_code_and_a_missing_source_are_refused(tmp_path):
    def edit(df):
        df.loc[1, "code"] = "101"
        df.loc[2, "source"] = ""
        return df

    with pytest.raises(peer_groups.PeerGroupError, match="koder står mere end én gang: 101") as err:
        peer_groups.load(_broken(tmp_path, edit))
    assert "række 4: kilden mangler" in str(err.value) and "147" in str(err.value)
