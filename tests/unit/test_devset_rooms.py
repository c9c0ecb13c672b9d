"""A development set on other territories gets its rooms file from its README."""

from pathlib import Path

from devset_rooms import ROOMS, rooms_for

from cpts_bot.settings import load_rooms_config

README = """# A set

```yaml
territories:
  - name: CPTS Metz
    communes:
      - insee: "57463"
        name: Metz
        postal_codes: ["57000"]
        aliases: ["Mettis"]
      - insee: "57616"
        name: Saint-Julien-lès-Metz
        postal_codes: ["57070"]
    # sectors:
    #   frontiere: ["57463"]   # "la frontière"
    #   ville: ["57463", "57999"]
    #   centre: ["57463"]   # "à Metz" = the town only
  - name: CPTS Sud
    communes:
      - insee: "97209"
        name: Fort-de-France
        postal_codes: ["97200"]
    # sectors:
    #   bas: ["97209"]   # les Bas
```
"""


def test_a_readme_snippet_across_holiday_calendars_gives_a_rooms_file(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(README, encoding="utf-8")
    path = rooms_for(tmp_path, tmp_path)
    territory = load_rooms_config(path).territory  # Moselle and La Réunion together
    assert [c.insee for c in territory.communes] == ["57463", "57616", "97209"]
    sectors = {s.name: (sorted(s.communes), sorted(s.aliases)) for s in territory.sectors}
    assert sectors == {
        "CPTS Metz": (["57463", "57616"], []),
        "CPTS Sud": (["97209"], []),
        "Secteur frontiere": (["57463"], ["la frontière"]),
        "Secteur centre": (["57463"], []),  # "à Metz" is the town, not a name
        "Secteur bas": (["97209"], ["les Bas"]),
    }  # "ville" names a commune outside: left out


def test_the_development_set_keeps_its_own_rooms_file(tmp_path: Path) -> None:
    assert rooms_for(tmp_path, tmp_path) == ROOMS  # no README: ours


def test_sectors_written_as_yaml_in_the_snippet_are_kept(tmp_path: Path) -> None:
    readme = """```yaml
territories:
  - name: CPTS Sud
    communes:
      - {insee: "97209", name: Fort-de-France, postal_codes: ["97200"]}
      - {insee: "97213", name: Le Lamentin, postal_codes: ["97232"]}
    sectors:
      - {name: Les Hauts, aliases: [les hauts de l'île], communes: ["97213"]}
    # sectors:
    #   secteur des plages: ["97209"]
```
"""
    (tmp_path / "README.md").write_text(readme, encoding="utf-8")
    territory = load_rooms_config(rooms_for(tmp_path, tmp_path)).territory
    assert {s.name: sorted(s.communes) for s in territory.sectors} == {
        "CPTS Sud": ["97209", "97213"],
        "Les Hauts": ["97213"],
        "Secteur des plages": ["97209"],
    }
