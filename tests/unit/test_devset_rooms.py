"""A development set on other territories gets its rooms file from its README."""

from pathlib import Path

from devset_rooms import ROOMS, rooms_for

from cpts_bot.settings import load_rooms_config

README = """# A set

```yaml
territories:
  - name: CPTS Sarre
    communes:
      - insee: "57631"
        name: Sarreguemines
        postal_codes: ["57200"]
        aliases: ["Saargemünd"]
      - insee: "57568"
        name: Rémelfing
        postal_codes: ["57200"]
    # sectors:
    #   frontiere: ["57631"]   # "la frontière"
    #   ville: ["57631", "57999"]
    #   centre: ["57631"]   # "à Sarreguemines" = the town only
  - name: CPTS Sud
    communes:
      - insee: "97416"
        name: Saint-Pierre
        postal_codes: ["97410"]
    # sectors:
    #   bas: ["97416"]   # les Bas
```
"""


def test_a_readme_snippet_across_holiday_calendars_gives_a_rooms_file(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(README, encoding="utf-8")
    path = rooms_for(tmp_path, tmp_path)
    territory = load_rooms_config(path).territory  # Moselle and La Réunion together
    assert [c.insee for c in territory.communes] == ["57631", "57568", "97416"]
    sectors = {s.name: (sorted(s.communes), sorted(s.aliases)) for s in territory.sectors}
    assert sectors == {
        "CPTS Sarre": (["57568", "57631"], []),
        "CPTS Sud": (["97416"], []),
        "Secteur frontiere": (["57631"], ["la frontière"]),
        "Secteur centre": (["57631"], []),  # "à Sarreguemines" is the town, not a name
        "Secteur bas": (["97416"], ["les Bas"]),
    }  # "ville" names a commune outside: left out


def test_the_development_set_keeps_its_own_rooms_file(tmp_path: Path) -> None:
    assert rooms_for(tmp_path, tmp_path) == ROOMS  # no README: ours


def test_sectors_written_as_yaml_in_the_snippet_are_kept(tmp_path: Path) -> None:
    readme = """```yaml
territories:
  - name: CPTS Sud
    communes:
      - {insee: "97416", name: Saint-Pierre, postal_codes: ["97410"]}
      - {insee: "97422", name: Le Tampon, postal_codes: ["97430"]}
    sectors:
      - {name: Les Hauts, aliases: [les hauts de l'île], communes: ["97422"]}
    # sectors:
    #   secteur des plages: ["97416"]
```
"""
    (tmp_path / "README.md").write_text(readme, encoding="utf-8")
    territory = load_rooms_config(rooms_for(tmp_path, tmp_path)).territory
    assert {s.name: sorted(s.communes) for s in territory.sectors} == {
        "CPTS Sud": ["97416", "97422"],
        "Les Hauts": ["97422"],
        "Secteur des plages": ["97416"],
    }
