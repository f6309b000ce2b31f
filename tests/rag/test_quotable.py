"""The units an answer quotes: sentences, joined where the layout cut what belongs together."""

from __future__ import annotations

from rag.text import LIST_ITEMS, quotable_spans


def units(text: str) -> list[str]:
    return [text[a:b] for a, b in quotable_spans(text)]


def test_a_lead_in_with_a_colon_is_quoted_with_its_list_of_short_items() -> None:
    text = (
        "The framework is built around four solutions:\n\n1. Systemic efficiency\n2. Electrification\n"
        "3. Hydrogen\n4. Carbon capture\n\nAdopting them could halve emissions.\nThe inventions are:\n•\n"
        "Purification of graphite\n•\nBattery anodes"
    )
    assert units(text) == [
        "The framework is built around four solutions:\n\n1. Systemic efficiency\n2. Electrification\n"
        "3. Hydrogen\n4. Carbon capture",
        "Adopting them could halve emissions.",
        "The inventions are:\n•\nPurification of graphite\n•\nBattery anodes",  # a bullet alone on its line
    ]


def test_list_items_that_are_statements_stay_separate_and_long_lists_are_cut() -> None:
    statements = (
        "It reported:\n- an emissions-reduction potential of more than 334 million tonnes of CO2 a year;\n- jobs."
    )
    assert units(statements)[0] == "It reported:"
    long = "Members:\n" + "\n".join(f"- Cluster {n}" for n in range(20))
    assert units(long)[0].count("- Cluster") == LIST_ITEMS


def test_a_line_broken_by_the_layout_continues_the_sentence_before_it() -> None:
    text = (
        "Our counsel is named below.\n"
        "The Company changed its name from Uranium Resources\nto Westwater Resources in 2017.\n"
        "Revenue, 2022: 1,234; 2021: 1,000"
    )
    assert units(text) == [
        "Our counsel is named below.",
        "The Company changed its name from Uranium Resources\nto Westwater Resources in 2017.",
        "Revenue, 2022: 1,234; 2021: 1,000",
    ]


def test_a_heading_goes_with_the_line_it_names_unless_that_is_a_heading_too() -> None:
    text = (
        "Nichols, Cauley & Associates, LLC Atlanta, Georgia\nLegal Counsel\n"
        "Ledbetter Wanamaker Glass LLP Atlanta, Georgia\nCRITICAL AUDIT MATTERS\nAllowance for Loan Losses\n"
        "Management reviews the allowance on a quarterly basis. It reports to the board.\n"
        "Funding was approved in 2021\nThe plant opens in 2026.\n2022 Highlights\nSales rose.\n"
        "*Published 20 January 2026*\nMore than four years have passed.\n## Funding\nThe project got £72m.\n"
        "Country: United States\nJoined: May 2022."
    )
    assert units(text) == [
        "Nichols, Cauley & Associates, LLC Atlanta, Georgia",  # a name with its address heads nothing
        "Legal Counsel\nLedbetter Wanamaker Glass LLP Atlanta, Georgia",
        "CRITICAL AUDIT MATTERS",  # the heading right above the text names it
        "Allowance for Loan Losses\nManagement reviews the allowance on a quarterly basis.",
        "It reports to the board.",
        "Funding was approved in 2021",  # lower-case words: a statement, not a heading
        "The plant opens in 2026.",
        "2022 Highlights\nSales rose.",  # a year may lead a heading
        "*Published 20 January 2026*",  # a date is not a heading
        "More than four years have passed.",
        "## Funding",  # a Markdown heading is the passage's section, never quoted: the text below stays quotable
        "The project got £72m.",
        "Country: United States",  # a field with its value heads nothing
        "Joined: May 2022.",
    ]


def test_a_sentence_runs_on_past_the_abbreviations_of_company_names_numbers_and_initials() -> None:
    text = (
        "The auditors of Ritchie Bros. Auctioneers Incorporated signed it. See Amendment No. 1 to the Credit "
        "Agreement. Kruger Products L.P. owns the mill. Claims go to P.O. Box 12. It filed under 15 U.S.C. "
        "Section 78. It is done."
    )
    assert units(text) == [
        "The auditors of Ritchie Bros. Auctioneers Incorporated signed it.",
        "See Amendment No. 1 to the Credit Agreement.",
        "Kruger Products L.P. owns the mill.",
        "Claims go to P.O. Box 12.",
        "It filed under 15 U.S.C. Section 78.",
        "It is done.",
    ]
