"""`clusterqa add` against a local web server: what is kept, what is refused, what a refresh re-embeds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ingest.add import Entry, add_addresses, read_list
from ingest.fetch import normalize
from rag.app import AppContext
from rag.types import Filters
from tests.support.files import write_pdf
from tests.support.web_server import Route, Site, article_page, serve_site

ARTICLE = [
    "The Fjordhavn cluster will capture 4.2 million tonnes of carbon dioxide a year from 2031.",
    "Its seven member plants share one pipeline to a storage site under the North Sea.",
    "The operators expect the shared pipeline to cut the cost of capture by a third.",
]

MakeContext = Callable[..., AppContext]


@pytest.fixture
def site() -> Iterator[Site]:
    with serve_site() as served:
        yield served


@pytest.fixture
def ctx(make_context: MakeContext, tmp_path: Path) -> AppContext:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    return make_context(corpus, allow_private_urls=True, fetch_timeout=1.0, fetch_max_mb=0.05)


def _texts(ctx: AppContext) -> str:
    return "\n".join(p.text for p in ctx.store.passages(Filters()))


def test_article_keeps_only_the_article_and_cites_its_address(ctx: AppContext, site: Site) -> None:
    site.routes["/news/fjordhavn.html"] = Route(article_page("Fjordhavn starts capture", ARTICLE))
    report = add_addresses(ctx.config, ctx.store, ctx.embedder, [Entry(site.base + "/news/fjordhavn.html#top")])
    [outcome] = report.fetched
    assert (outcome.status, outcome.error) == ("added", None)
    assert outcome.url == site.base + "/news/fjordhavn.html"  # the fragment is not part of the address
    saved = (ctx.config.corpus_dir / str(outcome.path)).read_text("utf-8")
    assert saved.startswith("---\ntitle: Fjordhavn starts capture\ndate: 2025-03-04\nauthor: Ada Quill\n")
    assert f"url: {outcome.url}\nfetched: " in saved
    assert saved.count("# Fjordhavn starts capture") == 1
    text = _texts(ctx)
    assert "4.2 million tonnes" in text
    for furniture in ("Subscribe to the newsletter", "cookies", "Footer Holdings", "Topics menu"):
        assert furniture not in text
    passages = list(ctx.store.passages(Filters()))
    assert {p.url for p in passages} == {outcome.url}
    answer = ctx.assistant.answer("How much carbon dioxide will the Fjordhavn cluster capture a year?")
    assert answer.citations, answer.text
    assert answer.citations[0].as_json()["url"] == outcome.url
    [doc] = ctx.store.documents().values()
    assert doc.url == outcome.url


def test_page_in_its_declared_charset(ctx: AppContext, site: Site) -> None:
    german = "Die Anlage in Zürich spart jährlich viel Kohlendioxid ein, sagt der Betreiber."
    page = article_page("Zürich plant", [german])
    latin = page.decode().replace('charset="utf-8"', 'charset="iso-8859-1"').encode("latin-1")
    site.routes["/de.html"] = Route(latin, "text/html; charset=iso-8859-1")
    [outcome] = add_addresses(ctx.config, ctx.store, ctx.embedder, [Entry(site.base + "/de.html")]).fetched
    assert outcome.status == "added", outcome.error
    assert "Die Anlage in Zürich spart jährlich" in _texts(ctx)


def test_same_address_twice_is_one_document(ctx: AppContext, site: Site) -> None:
    site.routes["/a.html?x=1&y=2"] = Route(article_page("Same page", ARTICLE))
    first = add_addresses(ctx.config, ctx.store, ctx.embedder, [Entry(site.base + "/a.html?x=1&y=2")])
    again = add_addresses(
        ctx.config, ctx.store, ctx.embedder, [Entry(site.base.replace("http", "HTTP") + "/a.html?y=2&x=1&utm_source=m")]
    )
    assert [o.status for o in first.fetched + again.fetched] == ["added", "unchanged"]
    assert first.fetched[0].path == again.fetched[0].path
    assert len(ctx.store.documents()) == 1
    assert again.ingest.embedded == 0


def test_pdf_is_kept_as_it_is_with_a_sidecar(ctx: AppContext, site: Site, tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "r.pdf", ["Annual report. Hydrogen demand in the Fjordhavn cluster doubled in 2024."])
    site.routes["/files/report.pdf"] = Route(pdf.read_bytes(), "application/pdf")
    [outcome] = add_addresses(ctx.config, ctx.store, ctx.embedder, [Entry(site.base + "/files/report.pdf")]).fetched
    saved = ctx.config.corpus_dir / str(outcome.path)
    assert saved.suffix == ".pdf" and saved.read_bytes() == pdf.read_bytes()
    assert (saved.parent / (saved.name + ".source.json")).is_file()
    [doc] = ctx.store.documents().values()
    assert (doc.format, doc.url) == ("pdf", outcome.url)


def test_redirect_chain_is_followed_and_too_long_one_refused(ctx: AppContext, site: Site) -> None:
    site.routes["/final.html"] = Route(article_page("Arrived", ARTICLE))
    for hop in range(3):
        site.routes[f"/hop{hop}"] = Route(status=302, location=f"/hop{hop + 1}" if hop < 2 else "/final.html")
    for hop in range(7):
        site.routes[f"/loop{hop}"] = Route(status=301, location=f"/loop{hop + 1}")
    report = add_addresses(
        ctx.config, ctx.store, ctx.embedder, [Entry(site.base + "/hop0"), Entry(site.base + "/loop0")]
    )
    assert [o.status for o in report.fetched] == ["added", "failed"]
    assert report.fetched[1].error == "too many redirects: more than 5"
    assert site.hits["/final.html"] == 1 and "/loop6" not in site.hits


def test_failures_are_one_plain_line_and_lose_nothing(ctx: AppContext, site: Site) -> None:
    site.routes["/ok.html"] = Route(article_page("Kept", ARTICLE))
    add_addresses(ctx.config, ctx.store, ctx.embedder, [Entry(site.base + "/ok.html")])
    site.routes["/big.html"] = Route(article_page("Big", ["word " * 20000]))
    site.routes["/streamed.html"] = Route(article_page("Streamed", ["word " * 20000]), length=False)
    site.routes["/slow.html"] = Route(article_page("Slow", ARTICLE), delay=3)
    site.routes["/fake.pdf"] = Route(article_page("Not a PDF", ARTICLE), "application/pdf")
    site.routes["/image"] = Route(b"\x89PNG\r\n\x1a\n....", "image/png")
    paths = ["/missing.html", "/big.html", "/streamed.html", "/slow.html", "/fake.pdf", "/image"]
    entries = [Entry(site.base + p) for p in paths] + [Entry("ftp://127.0.0.1/x"), Entry("http://u:pw@127.0.0.1/")]
    report = add_addresses(ctx.config, ctx.store, ctx.embedder, entries)
    errors = [o.error or "" for o in report.fetched]
    assert [e.split(":")[0] for e in errors] == [
        "not found",
        "too large",
        "too large",
        "timed out",
        "not a document",
        "not a document",
        "refused address",
        "refused address",
    ]
    assert all("\n" not in e for e in errors) and report.failed
    assert [d.title for d in ctx.store.documents().values()] == ["Kept"]
    assert sorted(p.name for p in ctx.config.corpus_dir.rglob("*") if p.is_file())[0].startswith("ok-")


def test_private_address_refused_when_the_setting_is_off(make_context: MakeContext, site: Site, tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    ctx = make_context(corpus)
    site.routes["/article.html"] = Route(article_page("Private", ARTICLE))
    [outcome] = add_addresses(ctx.config, ctx.store, ctx.embedder, [Entry(site.base + "/article.html")]).fetched
    assert outcome.status == "failed"
    assert (outcome.error or "").startswith("refused address: 127.0.0.1 is 127.0.0.1, a loopback, private")
    assert site.hits == {} and not any(corpus.iterdir())


def test_connected_address_is_checked_again(
    make_context: MakeContext, site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the name looked public when checked, the connection lands on loopback."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    ctx = make_context(corpus)
    monkeypatch.setattr("ingest.fetch.check_public", lambda address, allow_private: None)
    site.routes["/article.html"] = Route(article_page("Rebound", ARTICLE))
    [outcome] = add_addresses(ctx.config, ctx.store, ctx.embedder, [Entry(site.base + "/article.html")]).fetched
    assert (outcome.error or "").startswith("refused address: 127.0.0.1 is 127.0.0.1")
    assert not any(corpus.iterdir()) and not ctx.store.documents()


def test_refresh_re_embeds_only_the_page_that_changed(ctx: AppContext, site: Site) -> None:
    site.routes["/steady.html"] = Route(article_page("Steady", ARTICLE))
    site.routes["/changing.html"] = Route(article_page("Changing", ["The cluster has twelve members."]))
    site.routes["/gone.html"] = Route(article_page("Gone soon", ["A page that will disappear from the site."]))
    urls = [site.base + p for p in ("/steady.html", "/changing.html", "/gone.html")]
    add_addresses(ctx.config, ctx.store, ctx.embedder, [Entry(u) for u in urls])

    first = add_addresses(ctx.config, ctx.store, ctx.embedder, [], refresh=True)
    assert [o.status for o in first.fetched] == ["unchanged"] * 3
    assert site.not_modified == 3 and first.ingest.embedded == 0

    site.routes["/changing.html"] = Route(article_page("Changing", ["The cluster now has fifteen members."]))
    del site.routes["/gone.html"]
    second = add_addresses(ctx.config, ctx.store, ctx.embedder, [], refresh=True)
    status = {o.url: (o.status, o.error) for o in second.fetched}
    assert status[urls[0]] == ("unchanged", None)
    assert status[urls[1]] == ("updated", None)
    assert status[urls[2]] == ("gone", "not found: the server answered HTTP 404; the last copy is kept")
    assert (second.ingest.updated, second.ingest.added, second.ingest.embedded) == (1, 0, 1)
    text = _texts(ctx)
    assert "fifteen members" in text and "twelve members" not in text
    assert "will disappear" in text


def test_address_list_with_dates_and_titles(tmp_path: Path) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text(
        "# comment\nhttps://a.example/x 2024-01-16 Clusters commit\n\n"
        "https://b.example/y 2023-12\nhttps://c.example/#f Only\n"
    )
    assert read_list(listing) == [
        Entry("https://a.example/x", "2024-01-16", "Clusters commit"),
        Entry("https://b.example/y", "2023-12"),
        Entry("https://c.example/#f", None, "Only"),
    ]


def test_shipped_initiative_list_is_well_formed() -> None:
    entries = read_list(Path(__file__).resolve().parents[2] / "docs" / "initiative-sources.txt")
    assert len(entries) >= 15
    assert all(e.title and e.url.startswith("https://") for e in entries)
    assert len({normalize(e.url) for e in entries}) == len(entries)  # no address twice
