"""National offence codes of the demo countries and their ICCS correspondence.

Each country gets a few hundred codes in its own format. They are the common
offences of the catalogue below and a long tail of rarer offences named after ICCS
classes, with codes excluded as not a crime and a few codes still pending a mapping.
Two retired codes appear in the exports but not in the correspondence table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_access.reference import load_iccs_codes

# Kinds of incident the generator draws, in the order of the catalogue.
HOMICIDE = "homicide"
ATTEMPTED_MURDER = "attempted_murder"
EXCLUDED_KIND = "excluded"
PENDING_KIND = "pending"
RETIRED_KIND = "retired"
OTHER_KIND = "other"

# (kind, description, ICCS code, weight within the kind). The ICCS codes sit on
# different levels, as real correspondence tables do.
CATALOGUE = (
    ("theft", "Larceny from the person", "050221", 3.0),
    ("theft", "Larceny from motor vehicle", "050222", 3.0),
    ("theft", "Larceny of motor vehicle", "050211", 1.5),
    ("theft", "Unlawful use of motor vehicle", "050212", 0.5),
    ("theft", "Larceny of motor vehicle parts", "050213", 0.8),
    ("theft", "Shop larceny", "050231", 2.0),
    ("theft", "Larceny from dwelling house", "05022", 3.0),
    ("theft", "Larceny of bicycle", "05029", 0.7),
    ("theft", "Praedial larceny (livestock)", "05025", 0.8),
    ("theft", "Praedial larceny (produce)", "0502", 1.2),
    ("theft", "Larceny by servant", "05023", 1.0),
    ("theft", "Larceny", "0502", 4.0),
    ("burglary", "Burglary of dwelling house", "050121", 5.0),
    ("burglary", "Housebreaking and larceny", "05012", 3.0),
    ("burglary", "Breaking into business premises", "05011", 3.0),
    ("burglary", "Breaking into school or public building", "05013", 0.8),
    ("burglary", "Burglary", "0501", 1.0),
    ("assault", "Wounding with intent", "020111", 2.0),
    ("assault", "Unlawful wounding", "020111", 2.0),
    ("assault", "Assault occasioning actual bodily harm", "020111", 3.0),
    ("assault", "Common assault", "020112", 5.0),
    ("assault", "Assault on police", "02011", 0.5),
    ("assault", "Domestic violence assault", "02011", 2.0),
    ("assault", "Grievous bodily harm", "020111", 1.0),
    ("threat", "Threat to kill", "020121", 2.0),
    ("threat", "Threatening language", "020122", 3.0),
    ("threat", "Threatening behaviour", "02012", 1.0),
    ("robbery", "Robbery with violence", "04011", 3.0),
    ("robbery", "Robbery with aggravation", "040111", 2.0),
    ("robbery", "Armed robbery of business", "04013", 1.5),
    ("robbery", "Robbery of motor vehicle", "040121", 0.5),
    ("robbery", "Robbery", "0401", 2.0),
    ("drugs", "Possession of cannabis", "060111", 5.0),
    ("drugs", "Possession of cocaine", "060111", 1.5),
    ("drugs", "Possession of drugs with intent to supply", "06012", 2.0),
    ("drugs", "Trafficking in a controlled drug", "060121", 1.0),
    ("drugs", "Cultivation of cannabis", "060123", 1.0),
    ("damage", "Malicious damage to property", "05042", 4.0),
    ("damage", "Damage to motor vehicle", "05042", 2.0),
    ("damage", "Damage to business property", "05043", 1.0),
    ("damage", "Damage to public property", "05041", 1.0),
    ("damage", "Arson", "0504", 0.5),
    ("sexual", "Rape", "03011", 2.0),
    ("sexual", "Unlawful sexual intercourse with a minor", "030113", 2.0),
    ("sexual", "Indecent assault", "03012", 2.0),
    ("sexual", "Incest", "0301", 0.3),
    ("sexual", "Sexual harassment", "030122", 0.5),
    ("fraud", "Obtaining money by false pretences", "07011", 3.0),
    ("fraud", "Fraud by worthless cheque", "070112", 1.0),
    ("fraud", "Forgery of documents", "07023", 1.0),
    ("fraud", "Uttering counterfeit currency", "070211", 0.5),
    ("fraud", "Online fraud", "0701", 1.0),
    ("weapons", "Possession of unlicensed firearm", "0901", 3.0),
    ("weapons", "Possession of ammunition", "0901", 2.0),
    ("weapons", "Possession of offensive weapon", "0901", 2.0),
    ("public_order", "Disorderly conduct", "0801", 3.0),
    ("public_order", "Indecent language", "0801", 3.0),
    ("public_order", "Resisting arrest", "0806", 1.0),
    ("public_order", "Escape from lawful custody", "0806", 0.3),
    ("public_order", "Breach of protection order", "0806", 1.0),
    (HOMICIDE, "Murder", "0101", 1.0),
    (ATTEMPTED_MURDER, "Attempted murder", "0102", 2.0),
    (ATTEMPTED_MURDER, "Shooting with intent", "0102", 1.0),
    (EXCLUDED_KIND, "Sudden death", "", 3.0),
    (EXCLUDED_KIND, "Lost property", "", 4.0),
    (EXCLUDED_KIND, "Found property", "", 1.0),
    (EXCLUDED_KIND, "Missing person", "", 1.5),
    (EXCLUDED_KIND, "Non-criminal road traffic collision", "", 2.0),
    (EXCLUDED_KIND, "Report for information only", "", 1.0),
    (EXCLUDED_KIND, "Stray animal", "", 0.5),
    (PENDING_KIND, "Offence under the Cybercrime Act", "", 2.0),
    (PENDING_KIND, "Possession of prohibited vaping products", "", 1.0),
    (PENDING_KIND, "Illegal dumping of waste", "", 1.0),
    (RETIRED_KIND, "Malicious injury (retired code)", "", 1.0),
    (RETIRED_KIND, "Larceny of goods (retired code)", "", 1.0),
)

# Share of the long tail of ICCS classes each country keeps in its table.
LONG_TAIL_SHARE = 0.85


@dataclass(frozen=True)
class OffenceTable:
    """A country's national codes, with the kind each belongs to.

    Attributes
    ----------
    codes
        Columns ``national_code``, ``description``, ``iccs_code``, ``status``,
        ``kind`` and ``weight``. Retired codes are in ``codes`` but not in the
        correspondence table written for import.
    """

    codes: pd.DataFrame

    def correspondence(self) -> pd.DataFrame:
        """Return the correspondence table as imported: retired codes left out."""
        listed = self.codes[self.codes["kind"] != RETIRED_KIND]
        return listed[["national_code", "description", "iccs_code", "status"]]

    def of_kind(self, kind: str) -> pd.DataFrame:
        """Return the codes of one kind with weights summing to one."""
        rows = self.codes[self.codes["kind"] == kind]
        return rows.assign(weight=rows["weight"] / rows["weight"].sum())


def offence_table(code_style: str, rng: np.random.Generator) -> OffenceTable:
    """Return a country's offence table with codes written in ``code_style``.

    ``code_style`` is ``section`` ("0101-03"), ``numbered`` ("123A") or ``digits``
    ("05012"); all three keep leading zeros.
    """
    rows = [
        {"kind": k, "description": d, "iccs_code": c, "weight": w}
        for k, d, c, w in CATALOGUE
    ]
    rows.extend(_long_tail(rng))
    table = pd.DataFrame(rows)
    table["status"] = np.select(
        [table["kind"] == EXCLUDED_KIND, table["iccs_code"] == ""],
        ["excluded", "pending"],
        "mapped",
    )
    table["section"] = np.where(
        table["iccs_code"] == "",
        np.where(table["kind"] == EXCLUDED_KIND, 99, 98),
        pd.to_numeric(table["iccs_code"].str[:2], errors="coerce").fillna(98),
    ).astype(int)
    table = table.sort_values(["section", "iccs_code"], kind="stable")
    table["item"] = table.groupby("section").cumcount()
    table["national_code"] = [
        _format_code(code_style, section, item)
        for section, item in zip(table["section"], table["item"], strict=True)
    ]
    return OffenceTable(table.drop(columns=["section", "item"]).reset_index(drop=True))


def _long_tail(rng: np.random.Generator) -> list[dict]:
    """Return rare offences named after ICCS classes the catalogue does not use."""
    used = {code for _, _, code, _ in CATALOGUE}
    rows = []
    for entry in load_iccs_codes():
        code = entry["code"]
        # Section 01 stays out, so that every death counted is a catalogued one.
        if entry["level"] < 3 or code in used or code.startswith("01"):
            continue
        if rng.random() < LONG_TAIL_SHARE:
            rows.append(
                {
                    "kind": OTHER_KIND,
                    "description": entry["name"],
                    "iccs_code": code,
                    "weight": 1.0,
                }
            )
    return rows


def _format_code(style: str, section: int, item: int) -> str:
    if style == "section":
        return f"{section:02d}{item // 10 + 1:02d}-{item % 10 + 1:02d}"
    if style == "numbered":
        return f"{section * 40 + item // 3:03d}{'ABC'[item % 3]}"
    if style == "digits":
        return f"{section:02d}{item:03d}"
    raise ValueError(
        f"code_style={style!r} is not one of 'section', 'numbered', 'digits'."
    )
