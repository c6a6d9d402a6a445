"""Victims and suspects of demo incidents: sex, age and relationship."""

from __future__ import annotations

import numpy as np

from data_access.demo.profiles import VIOLENCE, rows_by_kind

# Per kind: share of incidents with a victim, share with a second victim, male
# share of victims, and the age model of victims.
VICTIMS = {
    "attempted_murder": (1.0, 0.1, 0.85, "young"),
    "assault": (1.0, 0.08, 0.55, "adult"),
    "threat": (1.0, 0.03, 0.5, "adult"),
    "robbery": (1.0, 0.1, 0.6, "adult"),
    "sexual": (1.0, 0.0, 0.1, "sexual"),
    "burglary": (0.85, 0.0, 0.52, "owner"),
    "theft": (0.8, 0.0, 0.52, "owner"),
    "damage": (0.8, 0.0, 0.55, "owner"),
    "fraud": (0.9, 0.0, 0.5, "owner"),
}
# Per kind: share with a known suspect, share with a second suspect, male share.
SUSPECTS = {
    "homicide": (0.55, 0.15, 0.93),
    "attempted_murder": (0.5, 0.2, 0.92),
    "assault": (0.7, 0.1, 0.78),
    "threat": (0.75, 0.05, 0.75),
    "sexual": (0.7, 0.05, 0.97),
    "robbery": (0.35, 0.25, 0.92),
    "burglary": (0.12, 0.1, 0.9),
    "theft": (0.15, 0.05, 0.82),
    "damage": (0.3, 0.05, 0.8),
    "fraud": (0.4, 0.05, 0.6),
    "drugs": (1.0, 0.1, 0.9),
    "weapons": (1.0, 0.05, 0.93),
    "public_order": (1.0, 0.1, 0.85),
}
# Relationship of a violence victim to the suspect, by the victim's sex, as the
# exports write it; "" is not recorded.
RELATIONSHIPS = {
    "F": {
        "Partner": 0.4,
        "Relative": 0.15,
        "Acquaintance": 0.25,
        "Stranger": 0.1,
        "": 0.1,
    },
    "M": {
        "Partner": 0.05,
        "Relative": 0.08,
        "Acquaintance": 0.4,
        "Stranger": 0.3,
        "": 0.17,
    },
}


def draw_ages(rng, model: str, count: int) -> np.ndarray:
    """Return ages in whole years for one age model.

    ``young`` (victims of lethal violence, peaking in the twenties), ``adult``,
    ``owner`` (householders and owners of property), ``sexual`` (a third under 18)
    and ``offender``.
    """
    if model == "young":
        pick = rng.random(count)
        ages = np.where(
            pick < 0.55,
            rng.normal(25, 5, count),
            np.where(pick < 0.9, rng.normal(38, 9, count), rng.uniform(50, 80, count)),
        )
        low = 13
    elif model == "adult":
        ages, low = rng.normal(31, 12, count), 8
    elif model == "owner":
        ages, low = rng.normal(43, 15, count), 18
    elif model == "sexual":
        minor = rng.random(count) < 0.35
        ages = np.where(minor, rng.normal(14, 2.5, count), rng.normal(25, 8, count))
        low = 5
    else:
        ages, low = rng.normal(26, 8, count), 12
    return np.clip(np.round(ages), low, 95).astype(int)


def _choose(rng, options: dict[str, float], count: int) -> np.ndarray:
    labels = np.array(list(options), dtype=object)
    weights = np.array(list(options.values()), dtype=float)
    return labels[rng.choice(len(labels), count, p=weights / weights.sum())]


def _sexes(rng, male_share, count: int, exact: bool) -> np.ndarray:
    if exact:
        male = rng.permutation(count) < round(male_share * count)
    else:
        male = rng.random(count) < male_share
    return np.where(male, "M", "F").astype(object)


def _person_texts(
    rng, count, male_share, age_model, missing_age, missing_sex, exact=False
):
    sex = _sexes(rng, male_share, count, exact)
    age = draw_ages(rng, age_model, count).astype(str).astype(object)
    age[rng.random(count) < missing_age] = ""
    sex_text = sex.copy()
    sex_text[rng.random(count) < missing_sex] = ""
    return sex, sex_text, age


def _join(first: np.ndarray, second: np.ndarray, has_second: np.ndarray, sep: str):
    joined = first.copy()
    joined[has_second] = first[has_second] + sep + second[has_second]
    return joined


def draw_people(rng, kinds: np.ndarray, male_homicide: float, missing_age, sep: str):
    """Return the victim and suspect columns, as export text, for each incident.

    ``missing_age`` is the per-incident probability that an age was not recorded.
    Several people in one incident are listed with ``sep`` between them.
    """
    count = len(kinds)
    empty = np.full(count, "", dtype=object)
    columns = {
        name: empty.copy()
        for name in (
            "victim_sex",
            "victim_age",
            "relationship",
            "suspect_sex",
            "suspect_age",
        )
    }
    models = dict(VICTIMS) | {"homicide": (1.0, 0.0, male_homicide, "young")}
    for kind, rows in rows_by_kind(kinds).items():
        if kind in models:
            _fill_victims(rng, columns, rows, kind, models[kind], missing_age, sep)
        if kind in SUSPECTS:
            _fill_suspects(rng, columns, rows, SUSPECTS[kind], missing_age, sep)
    return columns


def _fill_victims(rng, columns, rows, kind, model, missing_age, sep) -> None:
    share, second_share, male, age_model = model
    rows = rows[rng.random(len(rows)) < share]
    count = len(rows)
    # A homicide victim's sex is always recorded, so the victim is never lost,
    # and the male share is exact, since a small country has few homicides.
    homicide = kind == "homicide"
    missing_sex = 0.0 if homicide else 0.01
    sex, sex_text, age = _person_texts(
        rng, count, male, age_model, missing_age[rows], missing_sex, homicide
    )
    sex2, sex_text2, age2 = _person_texts(
        rng, count, male, age_model, missing_age[rows], missing_sex
    )
    second = rng.random(count) < second_share
    columns["victim_sex"][rows] = _join(sex_text, sex_text2, second, sep)
    columns["victim_age"][rows] = _join(age, age2, second, sep)
    if kind in VIOLENCE:
        relation = np.where(
            sex == "F",
            _choose(rng, RELATIONSHIPS["F"], count),
            _choose(rng, RELATIONSHIPS["M"], count),
        )
        relation2 = np.where(
            sex2 == "F",
            _choose(rng, RELATIONSHIPS["F"], count),
            _choose(rng, RELATIONSHIPS["M"], count),
        )
        columns["relationship"][rows] = _join(relation, relation2, second, sep)


def _fill_suspects(rng, columns, rows, model, missing_age, sep) -> None:
    share, second_share, male = model
    rows = rows[rng.random(len(rows)) < share]
    count = len(rows)
    unknown_age = np.maximum(missing_age[rows], 0.2)
    _, sex, age = _person_texts(rng, count, male, "offender", unknown_age, 0.02)
    _, sex2, age2 = _person_texts(rng, count, male, "offender", unknown_age, 0.02)
    second = rng.random(count) < second_share
    columns["suspect_sex"][rows] = _join(sex, sex2, second, sep)
    columns["suspect_age"][rows] = _join(age, age2, second, sep)
