"""Entity mentions, within-document resolution, aliases and roles, on sentences written here."""

from __future__ import annotations

from sitroom.stages.aliases import load_aliases, normalise_name
from sitroom.stages.entities import entity_id, extract_entities


def run(model, text):
    doc = model(text)
    result = extract_entities(doc, load_aliases())
    for m in result.mentions:
        assert text[m.start:m.end] == m.text
    for r in result.roles:
        assert text[r.start:r.end] == r.text
    return result


def roles_of(result) -> set[tuple[str, str]]:
    """(canonical name, role) pairs."""
    return {(result.names[x.entity_id][0], x.role) for x in result.roles}


def names_of(result, surface):
    return {result.names[m.entity_id][0] for m in result.mentions if m.text == surface}


def test_surname_resolves_to_full_name(model):
    text = ("In an interview with a news agency, Gilles de Kerchove warned of new attacks. "
            "De Kerchove said the threat was rising. Later, de Kerchove added that Europe must prepare.")
    r = run(model, text)
    assert names_of(r, "De Kerchove") == {"Gilles de Kerchove"}
    assert names_of(r, "de Kerchove") == {"Gilles de Kerchove"}
    ids = {m.entity_id for m in r.mentions if "Kerchove" in m.text}
    assert len(ids) == 1


def test_two_people_sharing_a_surname_stay_apart(model):
    text = "Anna Berger met Thomas Berger in Vienna. Anna Berger said the talks went well."
    r = run(model, text)
    people = {v[0] for v in r.names.values() if v[1] == "PERSON"}
    assert {"Anna Berger", "Thomas Berger"} <= people


def test_title_before_name_is_a_role(model):
    text = "The EU's security commissioner Julian King told a German newspaper on Tuesday that returnees were a threat. King added more."
    r = run(model, text)
    assert ("Julian King", "EU's security commissioner") in roles_of(r)
    assert names_of(r, "King") == {"Julian King"}


def test_apposition_is_a_role(model):
    text = "Hans Bonte, the mayor of Vilvoorde, told reporters that eight men had died."
    assert ("Hans Bonte", "mayor of Vilvoorde") in roles_of(run(model, text))


def test_role_named_before_the_person_in_a_wire_lead(model):
    """News style delays the name: the lead says who by role, the next sentence names them."""
    text = ("BERLIN: Fighting in the north may drive smugglers south, the UN's refugee envoy said on Monday.\n\n"
            "Speaking to reporters, Ingrid Solheim also warned that aid would run out by March.")
    assert ("Ingrid Solheim", "UN's refugee envoy") in roles_of(run(model, text))


def test_no_delayed_role_for_someone_already_named(model):
    text = ("Omar Haddad met aid groups. Fighting may drive smugglers south, the UN's refugee envoy said on Monday. "
            "Omar Haddad also warned that aid would run out.")
    r = run(model, text)
    assert not any(x.role == "UN's refugee envoy" for x in r.roles)


def test_director_of_at_apposition(model):
    text = "Marta Lindqvist, director of the terrorism programme at the Nordic Security Institute, said so."
    r = run(model, text)
    assert any(x.role.startswith("director of the terrorism programme at") for x in r.roles)


def test_acronym_definition_links_both_forms(model):
    text = ("The Nordic Council of Intelligence Services (NCIS) published a report. "
            "NCIS analysts said the number of returnees had doubled.")
    r = run(model, text)
    acr = [m for m in r.mentions if m.text == "NCIS"]
    assert len(acr) == 2
    assert {r.names[m.entity_id][0] for m in acr} == {"Nordic Council of Intelligence Services"}
    assert any(a.alias == "NCIS" and a.origin == "acronym" for a in r.aliases)


def test_alias_file_merges_names_of_one_group(model):
    text = "Daesh lost ground. The Islamic State of Iraq and the Levant still holds towns, and ISIS fighters fled."
    r = run(model, text)
    ids = {m.entity_id for m in r.mentions if m.text in ("Daesh", "ISIS", "Islamic State of Iraq and the Levant")}
    assert len(ids) == 1
    assert r.names[ids.pop()] == ("Islamic State", "ORG")


def test_user_alias_file_extends_the_packaged_one(tmp_path):
    f = tmp_path / "mine.tsv"
    f.write_text("# mine\nNordic Security Institute\tORG\tNSI\tNordSec\nIslamic State\tORG\tTanzim\n", encoding="utf-8")
    table = load_aliases(str(f))
    assert table.lookup("NordSec") == ("Nordic Security Institute", "ORG")
    assert table.lookup("Tanzim") == ("Islamic State", "ORG")
    assert table.lookup("Daesh") == ("Islamic State", "ORG")


def test_entity_ids_are_stable_and_normalised():
    assert entity_id("ORG", "The European Union") == entity_id("ORG", "european union")
    assert entity_id("PERSON", "Julian King") != entity_id("ORG", "Julian King")
    assert entity_id("PERSON", "Jean Périer") == entity_id("PERSON", "Jean Perier")
    assert normalise_name("the EU’s") == "eu"


def test_allegiance_words_are_not_roles(model):
    text = "French jihadist Karim Mansour was arrested in Lyon."
    r = run(model, text)
    assert not r.roles
