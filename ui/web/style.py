"""The page's CSS, its browser-side scripts and its theme: all local, nothing fetched from elsewhere."""

from __future__ import annotations

from typing import Any

SANS = ["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]
MONO = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "Liberation Mono", "monospace"]


def theme() -> Any:
    """The default theme with system fonts only: no web font is requested, so the page renders offline."""
    import gradio as gr

    return gr.themes.Default(primary_hue="teal", secondary_hue="slate", font=SANS, font_mono=MONO)


# Clicks on a chip in the chat or on a source card open that source. One listener on the document,
# installed by the sources panel, so chips inside chat messages (which run no script) work too.
SOURCES_JS = """
const part = (el, key) => {
  const found = Array.from(el.classList).find((c) => c.startsWith(`cqa-${key}-`));
  return found ? found.slice(key.length + 5) : null;
};
const open = (event) => {
  if (event.type === 'keydown' && event.key !== 'Enter' && event.key !== ' ') return;
  const target = event.target.closest('.cqa-chip[class*="cqa-a-"], .cqa-source');
  if (!target || part(target, 'a') === null) return;
  event.preventDefault();
  document.querySelectorAll('.cqa-selected').forEach((el) => el.classList.remove('cqa-selected'));
  target.classList.add('cqa-selected');
  trigger('click', {answer: Number(part(target, 'a')), kind: part(target, 'k') || 'cite', n: Number(part(target, 'n')),
                    from: target.classList.contains('cqa-chip') ? 'chip' : 'card'});
};
if (window.__cqaOpenSource) {
  document.removeEventListener('click', window.__cqaOpenSource, true);
  document.removeEventListener('keydown', window.__cqaOpenSource, true);
}
window.__cqaOpenSource = open;
document.addEventListener('click', open, true);
document.addEventListener('keydown', open, true);
"""

# Scroll the document view's text box so the highlighted passage is in sight, without moving the page.
DOCUMENT_JS = """
watch('value', () => {
  const body = element.querySelector('.cqa-doc-body');
  const passage = element.querySelector('.cqa-passage');
  if (!body || !passage) return;
  body.scrollTop = Math.max(0, passage.offsetTop - 24);
  const box = element.getBoundingClientRect();
  if (box.top < 0 || box.bottom > window.innerHeight) element.scrollIntoView({block: 'nearest'});
});
"""

CSS = """
.cqa-title h1 { margin: 0; font-size: 1.4rem; }
.cqa-title p { margin: 0.2rem 0 0; color: var(--body-text-color-subdued); }
.cqa-question { white-space: normal; }
.cqa-answer .cqa-text { line-height: 1.55; }
.cqa-chip { display: inline-flex; align-items: center; justify-content: center; min-width: 1.35em; height: 1.35em;
  padding: 0 0.3em; margin: 0 0.1em; border-radius: 0.7em; font-size: 0.75em; font-weight: 700; vertical-align: 0.15em;
  background: var(--color-accent-soft, #ccfbf1); color: #0f766e; border: 1px solid #5eead4; cursor: pointer;
  user-select: none; }
.cqa-chip:hover, .cqa-chip.cqa-selected { background: #0f766e; color: #fff; }
.cqa-chip-static { cursor: inherit; }
.cqa-meta { margin-top: 0.45rem; font-size: 0.78rem; color: var(--body-text-color-subdued); }
.cqa-mode { font-weight: 600; }
.cqa-mode-llm { color: #7c3aed; }
.cqa-notice { color: #b45309; }
.cqa-abstained { border-left: 4px solid #d97706; padding-left: 0.6rem; }
.cqa-abstained .cqa-text { color: var(--body-text-color-subdued); font-style: italic; }
.cqa-abstain-head { font-weight: 700; color: #b45309; margin-bottom: 0.25rem; }
.cqa-icon { font-style: normal; }
.cqa-pending .cqa-text { color: var(--body-text-color-subdued); font-style: italic; }
.cqa-error .cqa-text { color: #b91c1c; }
.cqa-sources { display: flex; flex-direction: column; gap: 0.55rem; }
.cqa-sources-head { font-weight: 600; }
.cqa-sources.cqa-abstained .cqa-sources-head { color: #b45309; }
.cqa-empty { color: var(--body-text-color-subdued); padding: 0.6rem 0; }
.cqa-source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 0.55rem 0.7rem;
  cursor: pointer; background: var(--background-fill-secondary); }
.cqa-source:hover, .cqa-source.cqa-selected { border-color: #14b8a6; box-shadow: 0 0 0 1px #14b8a6; }
.cqa-source-title { font-weight: 600; }
.cqa-source-loc { font-size: 0.78rem; color: var(--body-text-color-subdued); margin: 0.1rem 0 0.3rem; }
.cqa-file { font-family: var(--font-mono); }
.cqa-source-text { margin: 0; padding: 0 0 0 0.6rem; border-left: 3px solid var(--border-color-primary);
  font-size: 0.85rem; line-height: 1.45; max-height: 7.3em; overflow: hidden; }
.cqa-open { font-size: 0.78rem; color: #0f766e; margin-top: 0.3rem; }
mark { background: #fde68a; color: inherit; padding: 0 0.1em; border-radius: 2px; }
.cqa-doc-head { margin-bottom: 0.4rem; }
.cqa-doc-title { font-weight: 700; }
.cqa-doc-note { color: #b45309; font-size: 0.8rem; }
.cqa-doc-body { position: relative; max-height: 420px; overflow-y: auto; white-space: pre-wrap; font-size: 0.88rem;
  line-height: 1.5; padding: 0.5rem 0.7rem; border: 1px solid var(--border-color-primary); border-radius: 8px; }
.cqa-passage { background: rgba(20, 184, 166, 0.13); box-decoration-break: clone; -webkit-box-decoration-break: clone;
  border-radius: 2px; }
.cqa-counts { display: flex; gap: 0.9rem; flex-wrap: wrap; }
.cqa-count b { font-size: 1.1rem; }
.cqa-count-failed b { color: #b91c1c; }
.cqa-count-added b { color: #047857; }
.cqa-report-total { font-size: 0.8rem; color: var(--body-text-color-subdued); }
.cqa-report-error, .cqa-failed { color: #b91c1c; }
#cqa-docs table, #cqa-docs td, #cqa-docs th, #cqa-docs span { font-family: var(--font); }
.cqa-filter-status { font-size: 0.8rem; color: var(--body-text-color-subdued); }
.cqa-eval-headline, .cqa-eval-note { font-size: 0.85rem; color: var(--body-text-color-subdued); }
.cqa-eval-table { border-collapse: collapse; margin: 0.3rem 0 1rem; font-size: 0.85rem; }
.cqa-eval-table th, .cqa-eval-table td { border: 1px solid var(--border-color-primary); padding: 2px 8px;
  text-align: right; }
.cqa-eval-table th:first-child, .cqa-eval-table td:first-child { text-align: left; }
.cqa-eval img { max-width: 100%; }
"""
