"""What each UI event does, as methods of plain values: thin glue from the page to chat and documents."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from ingest.add import Entry, add_addresses
from rag.app import AppContext
from rag.errors import ClusterQAError
from rag.types import FailedFile
from ui.web import documents, evaluation
from ui.web import format as fmt
from ui.web.chat import ChatService, ChatSession, filters_from

STAGES = {
    "fetching": "Fetching addresses",
    "reading": "Reading files",
    "embedding": "Embedding chunks",
    "questions": "Asking the test questions",
}


def _progress(progress: gr.Progress) -> documents.Progress:
    return lambda stage, done, total: progress((done, total), desc=STAGES.get(stage, stage))


def _field(evt: gr.EventData, name: str) -> Any:
    """A field of the payload the page's script sent with the event (EventData exposes them as attributes)."""
    try:
        return getattr(evt, name)
    except (AttributeError, TypeError):  # absent, or no payload at all
        return None


class Handlers:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.chat = ChatService(ctx)

    # --- chat ---------------------------------------------------------------------------------

    def ask(self, message: str, filters: dict[str, Any], session: ChatSession, search: bool = False) -> Iterator[Any]:
        """Outputs: message box, chat, sources panel, document view.

        Only the first step empties the message box: a question being typed meanwhile stays there. With
        `search` (the chat's Search switch), the reply lists the best-matching passages instead of an answer.
        """
        box: Any = ""
        for shown, answer, index in self.chat.ask(session, message, {**(filters or {}), "search": search}):
            if answer is None:
                yield box, shown, gr.skip(), gr.skip()
            else:
                yield box, shown, fmt.sources_html(answer, index), fmt.empty_document_html()
            box = gr.skip()

    def ask_example(self, filters: dict[str, Any], session: ChatSession, search: bool, evt: gr.SelectData) -> Any:
        value = evt.value
        text = value.get("text", "") if isinstance(value, dict) else str(value)
        for _, *rest in self.ask(text, filters, session, search):
            yield gr.skip(), *rest

    def clear_chat(self, session: ChatSession) -> Any:
        """Outputs: sources panel, document view."""
        session.clear()
        return fmt.sources_html(None, None), fmt.empty_document_html()

    def select_answer(self, session: ChatSession, evt: gr.SelectData) -> Any:
        """A click on a message shows the sources of that answer (of the answer to a clicked question)."""
        answers = session.answers
        index = evt.index if isinstance(evt.index, int) else None
        if index is not None and index not in answers:
            index += 1
        if index is None or index not in answers:
            return gr.skip()
        return fmt.sources_html(answers[index], index)

    def open_source(self, session: ChatSession, evt: gr.EventData) -> Any:
        """A chip or a source card was clicked: show that source in its document (and its answer's sources)."""
        try:
            index, n = int(_field(evt, "answer")), int(_field(evt, "n"))
        except (TypeError, ValueError):
            return gr.skip(), gr.skip()
        answer = session.answers.get(index)
        panel = fmt.sources_html(answer, index) if _field(evt, "from") == "chip" and answer else gr.skip()
        return panel, self.chat.open_source(answer, index, str(_field(evt, "kind") or "cite"), n)

    def api_ask(
        self, question: str, since: str = "", until: str = "", doc_ids: list[str] | None = None
    ) -> dict[str, Any]:
        """The `/ask` API endpoint: one question, optional filters; the answer as `clusterqa ask --json` prints it."""
        if not (question or "").strip():
            raise gr.Error("The question is empty.")
        try:
            filters = filters_from({"since": since, "until": until, "doc_ids": doc_ids or []})
            return self.chat.assistant.answer(question.strip(), None, filters).as_json()
        except ClusterQAError as exc:
            raise gr.Error(str(exc)) from None

    def set_filters(self, since: str, until: str, doc_ids: list[str] | None) -> Any:
        state = {"since": (since or "").strip(), "until": (until or "").strip(), "doc_ids": list(doc_ids or [])}
        try:
            filters = filters_from(state)
        except ClusterQAError as exc:
            return state, fmt.filters_html(None, None, 0, str(exc))
        since_, until_ = (filters.since, filters.until) if filters else (None, None)
        return state, fmt.filters_html(since_, until_, len(state["doc_ids"]))

    # --- documents ----------------------------------------------------------------------------

    def refresh(self) -> Any:
        """Outputs: documents table, the filter's choices, the delete choices."""
        try:
            docs = self.ctx.store.documents().values()
        except ClusterQAError:  # the index cannot be read: an empty listing, the chat shows the error
            docs = {}.values()
        choices = fmt.document_choices(docs)
        return fmt.document_rows(docs), gr.update(choices=choices), gr.update(choices=choices, value=None)

    def upload(self, files: list[str] | None, overwrite: bool, progress: gr.Progress = gr.Progress()) -> Any:  # noqa: B008
        if not files:
            return fmt.report_html(None, error="Choose one or more files to upload first."), gr.skip()
        progress(0, desc="Saving and indexing")
        saved = documents.save_uploads(self.ctx.config.corpus_dir, files, overwrite, self.ctx.config.max_file_bytes)
        report, error = None, None
        if saved.paths:
            try:
                report = documents.index(self.ctx, saved.paths, _progress(progress))
            except Exception as exc:  # shown to the person; the saved files wait for a re-scan
                error = documents.friendly(exc)
        return fmt.report_html(report, saved.rejected, saved.notes, error), None

    def add_urls(self, text: str, progress: gr.Progress = gr.Progress()) -> Any:  # noqa: B008
        """Outputs: the report, the address box (emptied once every address was fetched)."""
        entries = [Entry(line.strip()) for line in (text or "").splitlines() if line.strip()]
        if not entries:
            return fmt.report_html(None, error="Enter one or more web addresses first."), gr.skip()
        progress(0, desc="Fetching addresses")
        try:
            added = add_addresses(
                self.ctx.config,
                self.ctx.store,
                self.ctx.embedder,
                entries,
                progress=_progress(progress),
                wait=documents.INGEST_WAIT_SECONDS,
            )
        except Exception as exc:
            return fmt.report_html(None, error=documents.friendly(exc)), gr.skip()
        failed = [FailedFile(o.url, o.error or o.status) for o in added.fetched if o.error]
        notes = [f"{o.status}: {o.url} → {o.path}" for o in added.fetched if not o.error]
        return fmt.report_html(added.ingest, failed, notes), gr.skip() if failed else ""

    def rescan(self, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        progress(0, desc="Re-scanning the corpus folder")
        try:
            return fmt.report_html(documents.index(self.ctx, (), _progress(progress)))
        except Exception as exc:
            return fmt.report_html(None, error=documents.friendly(exc))

    def ask_delete(self, doc_id: str | None) -> Any:
        """Outputs: the pending doc_id, the confirmation box, its text, the report."""
        docs = self.ctx.store.documents()
        if not doc_id or doc_id not in docs:
            return None, gr.update(visible=False), "", fmt.report_html(None, error="Choose a document to delete.")
        question = (
            f'<div class="cqa-report-error">Delete <b>{fmt.esc(docs[doc_id].title)}</b> '
            f'(<span class="cqa-file">{fmt.esc(doc_id)}</span>)? The file is removed from the corpus folder '
            "and its passages from the index.</div>"
        )
        return doc_id, gr.update(visible=True), question, gr.skip()

    def cancel_delete(self) -> Any:
        return None, gr.update(visible=False)

    def delete(self, doc_id: str | None, progress: gr.Progress = gr.Progress()) -> Any:  # noqa: B008
        """Outputs: the report, the confirmation box, the pending doc_id."""
        if not doc_id:
            return fmt.report_html(None, error="Nothing to delete."), gr.update(visible=False), None
        progress(0, desc="Deleting")
        try:
            report = documents.delete_document(self.ctx, doc_id, _progress(progress))
            result = fmt.report_html(report, notes=[f"{doc_id} was deleted."])
        except Exception as exc:
            result = fmt.report_html(None, error=documents.friendly(exc))
        return result, gr.update(visible=False), None

    # --- evaluation ---------------------------------------------------------------------------

    def evaluate(
        self,
        source: str,
        upload: str | None,
        retrieval: str,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> Any:
        """Outputs: the summary (tables and plots), the per-question table, the report files."""
        update = _progress(progress)
        try:
            testset = evaluation.testset_path(self.ctx.config, source, upload)
            update("questions", 0, 1)
            run = evaluation.run(
                self.chat.assistant, testset, retrieval, lambda done, total: update("questions", done, total)
            )
        except ClusterQAError as exc:
            return fmt.report_html(None, error=str(exc)), None, None
        reports = [str(p) for p in run.files if p.suffix != ".png"]
        return evaluation.summary_html(run), evaluation.question_rows(run), reports
