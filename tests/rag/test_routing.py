"""Document routing on a generated collection of look-alike annual reports: the named company's report first."""

from __future__ import annotations

import pytest

from ingest.indexer import run_ingest
from rag.answering.question import analyse
from rag.answering.retrieve import make_filters, take_turns
from rag.answering.route import route
from rag.app import AppContext, build_context
from rag.config import AppConfig
from rag.index import cards as cards_module
from rag.index.cards import DocumentCards
from rag.index.embedder import Embedder
from rag.index.tokenize import terms

# (company, chief executive, revenue in millions): every report has the same template, so a question's
# wording matches all of them alike and only the company's name tells them apart.
COMPANIES = [
    ("Norvale Mining", "Ada Brenner", 412),
    ("Quentar Foods", "Tomas Ekdahl", 958),
    ("Brisco Logistics", "Lena Marsh", 233),
    ("Halvorsen Shipping", "Piet Okafor", 671),
    ("Ormond Textiles", "Rui Castelo", 145),
]


def report(company: str, chief: str, revenue: int) -> str:
    short = company.split()[0]
    return f"""---
title: Annual report 2023
date: 2024-03-01
---
# Annual report 2023

## Overview
{company} is pleased to present its annual report. {short} operates across several regions and
{company} employs staff in each of them. The Board of {short} met eleven times during the year.

## Results
Revenue for the year was ${revenue} million. Operating costs rose with energy prices and the
Company kept its dividend unchanged. Cash flow from operations covered capital spending.

## Operations
{short} ran its sites at full capacity. Safety training reached every crew of {short} this year.

## Sustainability
{short} cut water use by a tenth and {company} published its first climate plan.

## Risks
{company} watches prices, rates and supply; {short} hedges part of its fuel.

## Leadership
{chief} is the Chief Executive Officer of {company}. {short} thanks the Board and every employee of
{short} for their work; {company} will report again next year.
"""


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> AppContext:
    root = tmp_path_factory.mktemp("routing")
    corpus = root / "corpus"
    corpus.mkdir()
    for n, (company, chief, revenue) in enumerate(COMPANIES, start=1):
        (corpus / f"report-{n}.md").write_text(report(company, chief, revenue), encoding="utf-8")
    context = build_context(AppConfig(corpus_dir=corpus, index_dir=root / "index"), embedder)
    assert not run_ingest(context.config, context.store, embedder).failed
    return context


def doc_of(company: str) -> str:
    return f"report-{[c for c, _, _ in COMPANIES].index(company) + 1}.md"


def test_cards_learn_each_company_name_from_its_own_text(ctx: AppContext) -> None:
    cards = ctx.store.cards()
    card = dict(zip(cards.doc_ids, cards.cards, strict=True))
    assert set(terms("Norvale Mining")) <= set(card[doc_of("Norvale Mining")])
    assert not set(terms("Norvale Quentar")) <= set(card[doc_of("Halvorsen Shipping")])
    assert ctx.store.cards() is cards  # cached while the index is unchanged


def test_words_most_documents_state_name_none_of_them(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    """"Board" and "Company" run through every report, "Annual" is in every title: no card keeps them."""
    common = set(terms("Board Company Annual Chief Executive Officer"))
    assert not any(common & set(card) for card in ctx.store.cards().cards)
    monkeypatch.setattr(cards_module, "MAX_DOC_SHARE", 1.0)
    uncapped = DocumentCards.build(ctx.store.passages(), "uncapped")
    assert all(common & set(card) for card in uncapped.cards)  # what the rule removes


def test_a_question_naming_a_company_searches_its_report_first(ctx: AppContext) -> None:
    for company, _, revenue in COMPANIES:
        question = f"What was the revenue of {company} for the year?"
        chosen = route(ctx.store.cards(), analyse(question))
        assert chosen is not None and chosen.clear and chosen.doc_ids == (doc_of(company),)
        found = ctx.assistant.search(question, k=3)
        assert found[0].doc_id == doc_of(company)
        assert f"${revenue} million" in found[0].text


def test_a_question_naming_two_companies_reaches_both(ctx: AppContext) -> None:
    question = "Who leads Brisco Logistics and who leads Ormond Textiles?"
    chosen = route(ctx.store.cards(), analyse(question))
    assert chosen is not None and set(chosen.doc_ids) == {doc_of("Brisco Logistics"), doc_of("Ormond Textiles")}
    # Passages saying the same thing in both reports are folded into one that lists the other in `also`.
    found = {d for p in ctx.assistant.search(question, k=4) for d in (p.doc_id, *p.also)}
    assert found == {doc_of("Brisco Logistics"), doc_of("Ormond Textiles")}


def test_a_question_naming_no_company_is_not_routed(ctx: AppContext) -> None:
    assert route(ctx.store.cards(), analyse("What was the revenue for the year?")) is None
    found = {p.doc_id for p in ctx.assistant.search("What was the revenue for the year?", k=5)}
    assert len(found) > 1


def test_documents_chosen_in_the_filters_are_never_overruled(ctx: AppContext) -> None:
    filters = make_filters(doc_ids=[doc_of("Quentar Foods")])
    found = ctx.assistant.search("What was the revenue of Norvale Mining?", k=3, filters=filters)
    assert found and {p.doc_id for p in found} == {doc_of("Quentar Foods")}


def test_routing_is_rebuilt_when_a_document_is_added(ctx: AppContext) -> None:
    before = ctx.store.cards()
    extra = ctx.config.corpus_dir / "report-9.md"
    extra.write_text(report("Zephyrine Optics", "Mara Lindqvist", 77), encoding="utf-8")
    try:
        run_ingest(ctx.config, ctx.store, ctx.embedder)
        assert ctx.store.cards() is not before
        found = ctx.assistant.search("What was the revenue of Zephyrine Optics?", k=1)
        assert found[0].doc_id == "report-9.md"
    finally:
        extra.unlink()
        run_ingest(ctx.config, ctx.store, ctx.embedder)


def test_a_rare_name_no_named_document_states_keeps_the_search_open(ctx: AppContext) -> None:
    """The cards name Norvale's report, but only a note states "Kestrel Bay" (on no card, once): rarer
    than "Norvale", which the note states too. Searching Norvale's report alone would miss the answer."""
    note = ctx.config.corpus_dir / "regional-notes.md"
    note.write_text(
        "# Regional notes\n\nThe Kestrel Bay smelter was first planned in 1975, when Norvale bought the land.\n",
        encoding="utf-8",
    )
    question = "In what year was the Kestrel Bay smelter of Norvale first planned?"
    try:
        run_ingest(ctx.config, ctx.store, ctx.embedder)
        by_cards = route(ctx.store.cards(), analyse(question))
        assert by_cards is not None and by_cards.clear and by_cards.doc_ids == (doc_of("Norvale Mining"),)
        assert route(ctx.store.cards(), analyse(question), ctx.store.lexical()) is None
        assert any("1975" in p.text for p in ctx.assistant.search(question, k=3))
        plain = route(ctx.store.cards(), analyse("What was the revenue of Norvale Mining?"), ctx.store.lexical())
        assert plain is not None and plain.clear  # every name it asks about chose the report: routed as before
    finally:
        note.unlink()
        run_ingest(ctx.config, ctx.store, ctx.embedder)


def test_documents_named_together_take_turns_at_the_top(ctx: AppContext) -> None:
    ranked = ctx.assistant.search("Norvale Mining Board employees regions", k=6, filters=None)
    mixed = take_turns([*ranked, *ctx.assistant.search("Quentar Foods dividend energy prices", k=3)])
    firsts = [p.doc_id for p in mixed[:2]]
    assert firsts == [doc_of("Norvale Mining"), doc_of("Quentar Foods")]


def test_a_new_process_reads_the_cards_saved_at_ingest(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = build_context(ctx.config, ctx.embedder)

    def no_chunk_reads(*_: object, **__: object) -> None:
        raise AssertionError("the cards were rebuilt from the chunks")

    monkeypatch.setattr(fresh.store, "passages", no_chunk_reads)
    assert fresh.store.cards().cards == ctx.store.cards().cards
