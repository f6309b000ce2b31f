"""The layout of the web UI: its components and which handler each event calls. Nothing else."""

from __future__ import annotations

from typing import Any

import gradio as gr

from ingest.loaders import LOADERS
from rag.app import AppContext
from rag.types import MODES
from ui.web import evaluation
from ui.web import format as fmt
from ui.web.chat import ChatSession
from ui.web.handlers import Handlers
from ui.web.style import DOCUMENT_JS, SOURCES_JS

EXAMPLES = [
    "Where and when was the Transitioning Industrial Clusters initiative launched?",
    "How many member clusters does the initiative have now?",
    "What is the Tianjin TEDA cluster doing to cut its emissions?",
    "Which clusters signed up at the very start of the initiative?",
]
CHAT: dict[str, Any] = {"concurrency_id": "chat", "concurrency_limit": 4, "api_visibility": "private"}
# One ingest at a time, in a queue of its own: questions never wait behind an upload or a re-scan.
INGEST: dict[str, Any] = {"concurrency_id": "ingest", "concurrency_limit": 1, "api_visibility": "private"}
EVALUATE: dict[str, Any] = {"concurrency_id": "evaluate", "concurrency_limit": 1, "api_visibility": "private"}
QUICK: dict[str, Any] = {"concurrency_limit": None, "api_visibility": "private", "show_progress": "hidden"}


def create_app(ctx: AppContext) -> gr.Blocks:
    on = Handlers(ctx)
    with gr.Blocks(title="ClusterQA", analytics_enabled=False, fill_width=True) as demo:
        session = gr.State(ChatSession())  # a copy per tab: its chat and the questions waiting their turn
        filters = gr.State({})
        pending_delete = gr.State(None)
        gr.HTML(
            '<div class="cqa-title"><h1>ClusterQA</h1><p>Answers from the indexed documents, each sentence cited: '
            "click a numbered chip or a source to read it in its document.</p></div>",
            js_on_load=None,
        )
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"), gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(
                        elem_id="cqa-chat",
                        label="Chat",
                        height=560,
                        examples=[{"text": q} for q in EXAMPLES],
                        sanitize_html=True,
                        allow_tags=False,
                        latex_delimiters=[],
                        buttons=["copy"],
                        feedback_options=None,
                        placeholder="Ask about the documents of the corpus, or pick an example.",
                    )
                    with gr.Row():
                        message = gr.Textbox(
                            show_label=False,
                            placeholder="Ask a question and press Enter",
                            elem_id="cqa-input",
                            scale=6,
                            autofocus=True,
                        )
                        send = gr.Button("Ask", variant="primary", elem_id="cqa-send", scale=1, min_width=80)
                    search_mode = gr.Checkbox(
                        label="Search: list the best-matching passages instead of answering",
                        value=False,
                        elem_id="cqa-search-mode",
                    )
                    with gr.Accordion("Filters (apply to the next questions)", open=False, elem_id="cqa-filters"):
                        with gr.Row():
                            since = gr.Textbox(label="From", placeholder="YYYY, YYYY-MM or YYYY-MM-DD")
                            until = gr.Textbox(label="To", placeholder="YYYY, YYYY-MM or YYYY-MM-DD")
                        doc_filter = gr.Dropdown(label="Only these documents", multiselect=True, choices=[])
                        filter_status = gr.HTML(fmt.filters_html(None, None, 0), js_on_load=None)
                with gr.Column(scale=2, min_width=320):
                    sources = gr.HTML(
                        fmt.sources_html(None, None), js_on_load=SOURCES_JS, elem_id="cqa-sources", padding=True
                    )
                    document = gr.HTML(
                        fmt.empty_document_html(), js_on_load=DOCUMENT_JS, elem_id="cqa-document", padding=True
                    )
            with gr.Tab("Documents", id="documents"):
                table = gr.Dataframe(
                    headers=fmt.DOCUMENT_HEADERS,
                    column_widths=["26%", "9%", "7%", "6%", "13%", "19%", "20%"],
                    datatype="str",
                    interactive=False,
                    wrap=True,
                    elem_id="cqa-docs",
                    label="Indexed documents",
                )
                with gr.Row(equal_height=False):
                    with gr.Column():
                        files = gr.File(
                            label=f"Upload documents ({', '.join(sorted(LOADERS))})",
                            file_count="multiple",
                            file_types=sorted(LOADERS),
                            elem_id="cqa-upload",
                        )
                        overwrite = gr.Checkbox(label="Overwrite a file of the same name", value=False)
                        with gr.Row():
                            upload_button = gr.Button("Save and index", variant="primary", elem_id="cqa-upload-btn")
                            rescan_button = gr.Button("Re-scan corpus folder", elem_id="cqa-rescan")
                        addresses = gr.Textbox(
                            label="Add by address (web pages, PDF, DOCX; one http(s) address a line)",
                            placeholder="https://example.org/news/article.html",
                            lines=2,
                            elem_id="cqa-urls",
                        )
                        add_button = gr.Button("Fetch and index", elem_id="cqa-add-urls")
                    with gr.Column():
                        delete_choice = gr.Dropdown(label="Delete a document", choices=[], elem_id="cqa-delete-choice")
                        delete_button = gr.Button("Delete…", variant="stop", elem_id="cqa-delete", size="md")
                        with gr.Group(visible=False) as confirm_box:
                            confirm_text = gr.HTML(js_on_load=None)
                            with gr.Row():
                                confirm = gr.Button("Yes, delete it", variant="stop", elem_id="cqa-confirm-delete")
                                cancel = gr.Button("Cancel", elem_id="cqa-cancel-delete")
                report = gr.HTML(elem_id="cqa-report", js_on_load=None, padding=True, min_height=90)
            with gr.Tab("Evaluation", id="evaluation"):
                with gr.Row(equal_height=False):
                    with gr.Column():
                        eval_source = gr.Radio(
                            [
                                (f"The configured test set ({ctx.config.testset})", evaluation.SHIPPED),
                                ("Upload a test set", evaluation.UPLOAD),
                            ],
                            value=evaluation.SHIPPED,
                            label="Test set (JSON Lines, one question a line: see the README)",
                            elem_id="cqa-eval-source",
                        )
                        eval_upload = gr.File(
                            label="Test set to upload (.jsonl)", file_types=[".jsonl"], elem_id="cqa-eval-upload"
                        )
                    with gr.Column():
                        eval_retrieval = gr.Radio(list(MODES), value="hybrid", label="Retrieval")
                        eval_button = gr.Button("Run evaluation", variant="primary", elem_id="cqa-eval-run")
                        eval_files = gr.File(
                            label="Report files", file_count="multiple", interactive=False, elem_id="cqa-eval-files"
                        )
                eval_summary = gr.HTML(elem_id="cqa-eval-summary", js_on_load=None, padding=True, min_height=60)
                eval_questions = gr.Dataframe(
                    headers=evaluation.QUESTION_HEADERS,
                    column_widths=["7%", "7%", "8%", "20%", "20%", "28%", "10%"],
                    datatype="str",
                    interactive=False,
                    wrap=True,
                    elem_id="cqa-eval-questions",
                    label="Questions (failed first)",
                )

        # The one public endpoint, for scripts (gradio_client): the chat's queue and limits, no UI state.
        gr.api(on.api_ask, api_name="ask", concurrency_id="chat", concurrency_limit=CHAT["concurrency_limit"])

        # "multiple": a question sent while another is answered is queued by the session, never dropped.
        chat_out = [message, chatbot, sources, document]
        asked = [message, filters, session, search_mode]
        message.submit(on.ask, asked, chat_out, trigger_mode="multiple", **CHAT)
        send.click(on.ask, asked, chat_out, trigger_mode="multiple", **CHAT)
        chatbot.example_select(on.ask_example, asked[1:], chat_out, trigger_mode="multiple", **CHAT)
        chatbot.clear(on.clear_chat, [session], [sources, document], **QUICK)
        chatbot.select(on.select_answer, [session], [sources], **QUICK)
        sources.click(on.open_source, [session], [sources, document], **QUICK)
        for box in (since, until, doc_filter):
            box.change(on.set_filters, [since, until, doc_filter], [filters, filter_status], **QUICK)

        listing = [table, doc_filter, delete_choice]
        demo.load(on.refresh, None, listing, **QUICK)
        upload_button.click(on.upload, [files, overwrite], [report, files], **INGEST).then(
            on.refresh, None, listing, **QUICK
        )
        add_button.click(on.add_urls, [addresses], [report, addresses], **INGEST).then(
            on.refresh, None, listing, **QUICK
        )
        rescan_button.click(on.rescan, None, [report], **INGEST).then(on.refresh, None, listing, **QUICK)
        asking = [pending_delete, confirm_box, confirm_text, report]
        delete_button.click(on.ask_delete, [delete_choice], asking, **QUICK)
        cancel.click(on.cancel_delete, None, [pending_delete, confirm_box], **QUICK)
        confirm.click(on.delete, [pending_delete], [report, confirm_box, pending_delete], **INGEST).then(
            on.refresh, None, listing, **QUICK
        )
        eval_button.click(
            on.evaluate,
            [eval_source, eval_upload, eval_retrieval],
            [eval_summary, eval_questions, eval_files],
            show_progress_on=eval_summary,
            **EVALUATE,
        )
        eval_upload.upload(lambda: evaluation.UPLOAD, None, eval_source, **QUICK)
    return demo
