"""Build the binary documents of the ClusterQA corpus from the text held in this file.

Generates:
    corpus/2024-01-progress-report.pdf  (fpdf2, core fonts, fixed creation date)
    corpus/2025-01-annual-update.docx   (python-docx, Word heading styles, core properties)

Run from the repository root:
    python scripts/build_corpus_docs.py

Requires fpdf2 and python-docx. Output is deterministic: metadata dates are fixed and the
DOCX zip entries get a fixed timestamp, so re-running produces byte-identical files.

Document text uses a tiny line-based markup: "# " section heading, "## " sub-heading,
"- " bullet, lines starting with "|" form a table (first row is the header), any other
non-empty line is a paragraph.
"""

# Document text is kept one paragraph per line, so long lines are intended here.
# ruff: noqa: E501

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.shared import Pt
from fpdf import FPDF

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

Block = tuple[str, str | list[list[str]]]

PDF_TITLE = "Transitioning Industrial Clusters towards Net Zero: Progress Briefing, January 2024"
PDF_DATE = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)
PDF_TEXT = """
# 1. Summary
This briefing describes the state of the World Economic Forum's Transitioning Industrial Clusters towards Net Zero initiative as of 15 January 2024. On that date the initiative counted 20 member clusters in 10 countries. Three new signatories had just been announced: the Tianjin Economic and Technological Development Area (TEDA) in China, the Dunkerque Industrial Cluster, known as DKarbonation, in France, and the Louisiana Future Energy Cluster (LFEC) in the United States.
Together, the 20 member clusters represent an emissions-reduction potential of 626 million tonnes of CO2. They contribute $362 billion to gross domestic product (GDP), and 3.4 million jobs are created or protected in them. Alongside the new members, the Forum published an annual report that combines a roadmap with a progress report and that puts financing at the centre of the discussion.
The briefing also takes stock against the goal the initiative set itself at its launch: to engage more than 100 clusters by 2024. With 20 members in January 2024, that ambition has not been met.
## Key figures at 15 January 2024
- Member clusters: 20, in 10 countries
- Emissions-reduction potential: 626 million tonnes of CO2
- Contribution to GDP: $362 billion
- Jobs created or protected: 3.4 million
- New signatories this month: TEDA (China), DKarbonation (France), LFEC (United States)
# 2. Background: the initiative and why clusters matter
The initiative was launched in November 2021 at COP26 in Glasgow. It is a World Economic Forum initiative developed with Accenture and EPRI, the Electric Power Research Institute, and its purpose is to help industrial clusters move towards net-zero emissions.
An industrial cluster, in the sense used by the initiative, is a geographic area in which energy suppliers, energy users and other industries are co-located. Ports, industrial parks and industrial zones are the typical examples. Because producers and consumers of energy share the same location, they can plan infrastructure together, aggregate demand for low-carbon energy and spread the risk of large projects across many partners.
The scale of the opportunity explains the focus. When the initiative was launched, its organisers estimated that industrial clusters emit roughly 15-20% of global CO2. In January 2024 the wider industrial sector was described as responsible for about 30% of global emissions. Decarbonising the places where industry is concentrated is therefore central to any credible path to net zero.
# 3. Headline figures over time
The initiative reports combined figures for its members: the potential reduction in emissions, the contribution to GDP and the number of jobs created or protected. Because the membership has changed, so have the figures. The table below sets out each reported value with its date. The January 2023 row is different from the others: it records targets for a future network of 100 clusters, not results.
| Date | Members | Emissions-reduction potential | GDP contribution | Jobs created or protected
| Nov 2021 (launch) | 4 founding members | about 30 million t CO2 | not reported | not reported
| May 2022 | 8 members | more than 334 million t CO2 | $182 billion | 1.1 million
| Jan 2023 | 9 more clusters joined | target for 100 clusters: 1.6 billion t CO2 | target: $2.5 trillion | target: 18 million
| Jan 2024 | 20 clusters, 10 countries | 626 million t CO2 | $362 billion | 3.4 million
Comparing the two most recent sets of reported results, May 2022 and January 2024, the emissions-reduction potential has almost doubled, from more than 334 million to 626 million tonnes of CO2. The GDP contribution has roughly doubled, from $182 billion to $362 billion, and the number of jobs created or protected has more than tripled, from 1.1 million to 3.4 million.
# 4. Membership in January 2024
## 4.1 Founding members (November 2021)
Four clusters joined at the launch at COP26: Zero Carbon Humber and HyNet North West in the United Kingdom, the Kwinana Industries Council in Australia and the Basque Net-Zero Industrial Supercluster in Spain.
## 4.2 Members that joined in 2022 and 2023
In May 2022 four more clusters joined: Brightlands Circular Space in the Netherlands, the Port of Antwerp-Bruges in Belgium, and two hubs in the United States, H2Houston Hub and the Ohio Clean Hydrogen Hub Alliance. In January 2023 nine further clusters joined from China, Indonesia, Japan, Spain and the United States.
## 4.3 The network in January 2024
With the three signatories announced in January 2024, the initiative counts 20 clusters spread across 10 countries. The new members come from China, France and the United States, and each represents a different industrial profile, as described in the next section.
# 5. The three new signatories
## 5.1 Tianjin Economic and Technological Development Area (TEDA), China
TEDA is a multi-industry zone whose activities include manufacturing, information technology and chemical materials. It has launched recycling projects for metals and for industrial waste, and it is working towards electrifying its power needs.
## 5.2 Dunkerque Industrial Cluster (DKarbonation), France
DKarbonation brings together port activities with the production of steel, aluminium and cement. Its scope also reaches into electric mobility and the production of low-carbon hydrogen, among other areas.
## 5.3 Louisiana Future Energy Cluster (LFEC), United States
LFEC is built around industrial petrochemical facilities and uses about 30% of the hydrogen produced in the United States. The cluster wants to help Louisiana take a leading role in the country's clean-energy transition.
# 6. The annual report: roadmap and progress
Together with the new members, the Forum released an annual report that sets out a roadmap and a progress report for decarbonising industry through clusters. The report draws on three signatory clusters as worked examples of how clusters can engage on four fronts: partnerships, policy, technology and financing. Of these, financing is singled out as especially critical for getting net-zero journeys started.
## 6.1 What holds back financing
The report's central finding is that the main financing obstacles facing industry are not only a question of whether projects are bankable or whether the technology exists. Instead, they lie in levels of confidence, in governance frameworks and in the need for business mindsets to change.
## 6.2 Recommended responses
The report's answer is to build trust, both among the partners within a cluster and between public and private financiers. It points to three ways of doing so:
- tailoring financial products and services to the needs of clusters;
- encouraging investors and governments to work together so that clusters can reach grants and incentives;
- investing in education to build the skills and internal capabilities that the energy transition requires.
# 7. Growing public-sector interest
Roberto Bocca, head of the Forum's centre for energy, materials and infrastructure, welcomed the arrival of clusters from China, France and the United States. In his comments, he pointed to rising interest in the initiative from public-sector stakeholders at both national and local level. He argued that new kinds of partnership between the public and private sectors are essential if industrial regions are to be transformed, and that the benefits go beyond lower emissions to include keeping existing jobs, creating new ones and supporting economic development.
# 8. Progress against the launch ambition
At its launch in November 2021, the initiative set out to engage more than 100 industrial clusters by 2024. In January 2024 it had 20 members. The network has grown fivefold since the four founding members signed up, but it remains well short of the number it originally aimed for.
The gap is also visible in the headline figures. In January 2023 the initiative set targets for a network of 100 clusters: an emissions-reduction potential of 1.6 billion tonnes of CO2, a GDP contribution of $2.5 trillion and 18 million jobs. The January 2024 results for 20 clusters, 626 million tonnes of CO2, $362 billion and 3.4 million jobs, correspond to roughly two-fifths of the emissions target, about one-seventh of the GDP target and a little under one-fifth of the jobs target. Those targets were defined for a network five times the size of the January 2024 membership, so the comparison mostly reflects how far recruitment still has to go.
# 9. Outlook
Three questions will shape the next stage. The first is recruitment: whether the rising interest from public authorities translates into more clusters signing up. The second is finance: whether the trust-building measures recommended in the annual report help clusters move projects from plans to investment decisions. The third is reporting: whether the combined figures for emissions potential, GDP and jobs keep rising as they have between May 2022 and January 2024.
# Sources
- E+E Leader, "Industrial Clusters Commit to World Economic Forum Net-Zero Initiative", 15 January 2024: https://www.environmentenergyleader.com/2024/01/industrial-clusters-commit-to-world-economic-forum-net-zero-initiative/
- World Economic Forum, Transitioning Industrial Clusters project page: https://www.weforum.org/platforms/climate-action-platform/projects/industrial-clusters
"""

DOCX_TITLE = "Transitioning Industrial Clusters: Annual Update, January 2025"
DOCX_DATE = datetime(2025, 1, 22, 9, 0, tzinfo=UTC)
DOCX_TEXT = """
# Overview
In January 2025 the World Economic Forum's Transitioning Industrial Clusters towards Net Zero initiative announced its largest expansion to date. Thirteen new industrial clusters joined, bringing the network to 33 clusters in 16 countries on five continents. A year earlier, in January 2024, it had 20 clusters in 10 countries.
According to the figures published in January 2025, the 33 member clusters together represent an emissions-reduction potential of 832 million tonnes of CO2-equivalent (CO2e), contribute $492 billion to GDP and create or protect 4.3 million jobs.
# The new members
The named additions of January 2025 span Europe, Latin America, the Middle East and the Asia-Pacific region.
## Europe
- Rotterdam (Netherlands)
- Gothenburg (Sweden)
- The Solent Cluster (United Kingdom)
## Latin America
- Port of Acu (Brazil)
- Cartagena Industrial Cluster (Colombia)
## Middle East and Asia-Pacific
- Jubail Industrial City (Saudi Arabia)
- Saraburi (Thailand), whose membership was first announced in October 2024, when it became the 21st member
- Five clusters in India
- One further cluster in Australia
# Headline figures: January 2024 and January 2025 compared
| Measure | January 2024 | January 2025
| Member clusters | 20 | 33
| Countries | 10 | 16
| Emissions-reduction potential | 626 million tonnes of CO2 | 832 million tonnes of CO2e
| Contribution to GDP | $362 billion | $492 billion
| Jobs created or protected | 3.4 million | 4.3 million
Over the twelve months, membership rose by 13 clusters and the number of countries by six. The emissions-reduction potential grew from 626 million tonnes of CO2 to 832 million tonnes of CO2e; note that the January 2025 figure is expressed in CO2-equivalent. The GDP contribution rose by $130 billion, and the jobs figure rose by 0.9 million.
# A new report on clean-energy infrastructure
On the same day as the membership announcement, a report on clean-energy infrastructure in industrial clusters was released. It was prepared with Accenture and EPRI, the Electric Power Research Institute, the two organisations with which the Forum developed the initiative.
# How the network has grown
The initiative was launched at COP26 in Glasgow in November 2021 with four founding members: Zero Carbon Humber and HyNet North West (United Kingdom), the Kwinana Industries Council (Australia) and the Basque Net-Zero Industrial Supercluster (Spain). Their emissions-reduction potential was put at about 30 million tonnes of CO2.
By May 2022 the network had eight members, after Brightlands Circular Space (Netherlands), the Port of Antwerp-Bruges (Belgium), H2Houston Hub and the Ohio Clean Hydrogen Hub Alliance (both United States) joined. The figures reported then were more than 334 million tonnes of CO2, $182 billion of GDP and 1.1 million jobs.
In January 2023, nine more clusters joined from China, Indonesia, Japan, Spain and the United States. In January 2024 the count reached 20 clusters in 10 countries, with TEDA (China), DKarbonation (France) and the Louisiana Future Energy Cluster (United States) as the newest signatories. Saraburi followed in October 2024 as the 21st member, before the January 2025 expansion to 33.
# The 100-cluster ambition in context
At its launch in November 2021, the initiative aimed to engage more than 100 clusters by 2024. That ambition was not met: the network had 20 members in January 2024, and 33 in January 2025. In January 2023 the initiative had also set targets for a 100-cluster network: 1.6 billion tonnes of CO2 in emissions-reduction potential, $2.5 trillion in GDP contribution and 18 million jobs. The January 2025 figures remain below those targets, which were set for a network about three times the size of the current one.
# Sources
- Mirage News, January 2025: https://miragenews.com/33-global-clusters-pledge-growth-jobs-emissions-1395019
- World Economic Forum, Transitioning Industrial Clusters project page: https://www.weforum.org/platforms/climate-action-platform/projects/industrial-clusters
- E+E Leader, 15 January 2024 (January 2024 comparison figures): https://www.environmentenergyleader.com/2024/01/industrial-clusters-commit-to-world-economic-forum-net-zero-initiative/
"""


def parse(text: str) -> list[Block]:
    """Turn the line-based markup into (kind, content) blocks."""
    blocks: list[Block] = []
    for line in (raw.strip() for raw in text.strip().splitlines()):
        if not line:
            continue
        if line.startswith("|"):
            row = [cell.strip() for cell in line.strip("|").split("|")]
            if blocks and blocks[-1][0] == "table":
                table = blocks[-1][1]
                assert isinstance(table, list)
                table.append(row)
            else:
                blocks.append(("table", [row]))
        elif line.startswith("## "):
            blocks.append(("h2", line[3:]))
        elif line.startswith("# "):
            blocks.append(("h1", line[2:]))
        elif line.startswith("- "):
            blocks.append(("bullet", line[2:]))
        else:
            blocks.append(("p", line))
    return blocks


class ReportPDF(FPDF):
    """A4 report with a running header and page numbers in the footer."""

    def header(self) -> None:
        if self.page_no() > 1:
            self.set_font("Helvetica", "I", 8)
            self.set_text_color(110)
            self.cell(0, 6, "Transitioning Industrial Clusters - Progress Briefing, January 2024", align="R")
            self.ln(10)
            self.set_text_color(0)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(110)
        self.cell(0, 10, f"Page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(0)


def build_pdf(path: Path) -> None:
    pdf = ReportPDF(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(auto=True, margin=22)
    pdf.set_title(PDF_TITLE)
    pdf.set_subject("Membership, headline figures and annual report findings, January 2024")
    pdf.set_author("ClusterQA corpus")
    pdf.set_creator("scripts/build_corpus_docs.py")
    pdf.set_lang("en")
    pdf.set_creation_date(PDF_DATE)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 17)
    pdf.multi_cell(0, 8, PDF_TITLE, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.set_text_color(90)
    pdf.multi_cell(0, 6, "Briefing dated 15 January 2024", align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(4)
    for kind, content in parse(PDF_TEXT):
        if kind == "table":
            assert isinstance(content, list)
            pdf.ln(2)
            pdf.set_font("Helvetica", "", 9)
            with pdf.table(col_widths=(30, 30, 44, 33, 33), text_align="LEFT", line_height=5) as table:
                for row in content:
                    cells = table.row()
                    for value in row:
                        cells.cell(value)
            pdf.ln(3)
            continue
        assert isinstance(content, str)
        if kind in ("h1", "h2"):
            if pdf.get_y() > pdf.h - 50:
                pdf.add_page()
            pdf.ln(3 if kind == "h1" else 1)
            pdf.set_font("Helvetica", "B", 13 if kind == "h1" else 11)
            pdf.multi_cell(0, 7, content, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif kind == "bullet":
            label, sep, rest = content.partition(": http")
            pdf.set_font("Helvetica", "", 10.5)
            pdf.set_x(pdf.l_margin + 5)
            text = f"- {label}:" if sep else f"- {content}"
            pdf.multi_cell(0, 5.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
            if sep:
                write_url(pdf, "http" + rest)
        else:
            pdf.set_font("Helvetica", "", 10.5)
            pdf.multi_cell(0, 5.5, content, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2.5)
    pdf.output(str(path))


def write_url(pdf: FPDF, url: str) -> None:
    """Write a URL on one line, shrinking the font so it never wraps mid-word."""
    indent = 9
    size = 9.0
    pdf.set_font("Helvetica", "", size)
    while size > 5 and pdf.get_string_width(url) > pdf.epw - indent:
        size -= 0.5
        pdf.set_font("Helvetica", "", size)
    pdf.set_x(pdf.l_margin + indent)
    pdf.cell(0, 5, url, link=url, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def build_docx(path: Path) -> None:
    doc = Document()
    doc.styles["Normal"].font.size = Pt(11)
    doc.add_heading(DOCX_TITLE, level=0)
    doc.add_paragraph("Published 22 January 2025")
    for kind, content in parse(DOCX_TEXT):
        if kind == "table":
            assert isinstance(content, list)
            table = doc.add_table(rows=len(content), cols=len(content[0]))
            table.style = "Table Grid"
            for r, row in enumerate(content):
                for c, value in enumerate(row):
                    cell = table.cell(r, c)
                    cell.text = value
                    if r == 0:
                        cell.paragraphs[0].runs[0].bold = True
            continue
        assert isinstance(content, str)
        if kind == "h1":
            doc.add_heading(content, level=1)
        elif kind == "h2":
            doc.add_heading(content, level=2)
        elif kind == "bullet":
            doc.add_paragraph(content, style="List Bullet")
        else:
            doc.add_paragraph(content)
    props = doc.core_properties
    props.title = DOCX_TITLE
    props.subject = "Membership and headline figures, January 2025"
    props.author = "ClusterQA corpus"
    props.last_modified_by = "ClusterQA corpus"
    props.created = DOCX_DATE.replace(tzinfo=None)
    props.modified = DOCX_DATE.replace(tzinfo=None)
    props.revision = 1
    doc.save(str(path))
    fix_zip_timestamps(path, DOCX_DATE)


def fix_zip_timestamps(path: Path, stamp: datetime) -> None:
    """Rewrite a zip file with a fixed timestamp on every entry (deterministic output)."""
    with zipfile.ZipFile(path) as src:
        entries = [(info.filename, src.read(info)) for info in src.infolist()]
    date_time = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)


def main() -> None:
    CORPUS.mkdir(exist_ok=True)
    pdf_path = CORPUS / "2024-01-progress-report.pdf"
    docx_path = CORPUS / "2025-01-annual-update.docx"
    build_pdf(pdf_path)
    build_docx(docx_path)
    print(f"wrote {pdf_path}\nwrote {docx_path}")


if __name__ == "__main__":
    main()
