"""The fake OpenAI-compatible server speaks well enough for the real client the product uses: llama-index OpenAILike."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import openai
import pytest
from llama_index.core.llms import ChatMessage
from llama_index.llms.openai_like import OpenAILike

from tests.support.fake_llm import FakeLLM, Reply

HI = [ChatMessage(role="user", content="hi")]


@pytest.fixture
def server() -> Iterator[FakeLLM]:
    with FakeLLM() as fake:
        yield fake


@pytest.fixture
def llm(server: FakeLLM) -> OpenAILike:
    return OpenAILike(
        model="fake-model", api_base=server.base_url, api_key="none", is_chat_model=True, timeout=1, max_retries=0
    )


def test_chat_returns_scripted_text_and_records_request(server: FakeLLM, llm: OpenAILike) -> None:
    server.script(Reply("The cluster emits 3 Mt of CO2."))
    response = llm.chat(HI)
    assert response.message.content == "The cluster emits 3 Mt of CO2."
    assert len(server.requests) == 1
    assert server.requests[0]["model"] == "fake-model"
    assert server.requests[0]["messages"] == [{"role": "user", "content": "hi"}]
    assert not server.requests[0].get("stream")


def test_stream_chat_yields_deltas_that_join_to_text(server: FakeLLM, llm: OpenAILike) -> None:
    text = "Hydrogen pipelines connect the refinery to the steelworks."
    server.script(Reply(text, chunk_size=5))
    responses = list(llm.stream_chat(HI))
    deltas = [r.delta for r in responses if r.delta]
    assert len(deltas) > 1
    assert "".join(deltas) == text
    assert responses[-1].message.content == text
    assert server.requests[-1]["stream"] is True


def test_status_500_raises_in_client(server: FakeLLM, llm: OpenAILike) -> None:
    server.script(Reply("unused", status=500))
    with pytest.raises(openai.InternalServerError) as raised:
        llm.chat(HI)
    assert raised.value.status_code == 500
    assert len(server.requests) == 1  # max_retries=0: no second attempt


def test_delay_beyond_client_timeout_raises_timeout(server: FakeLLM, llm: OpenAILike) -> None:
    server.script(Reply("too late", delay=3))
    with pytest.raises(openai.APITimeoutError):
        llm.chat(HI)
    assert len(server.requests) == 1


def test_queue_reuse_default_models_and_404(server: FakeLLM, llm: OpenAILike) -> None:
    assert llm.chat(HI).message.content == "OK"  # nothing scripted yet
    server.script(Reply("one"), Reply("two"))
    assert [llm.chat(HI).message.content for _ in range(3)] == ["one", "two", "two"]
    with urllib.request.urlopen(f"{server.base_url}/models", timeout=5) as response:
        assert json.load(response)["data"][0]["id"] == "fake-model"
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(f"{server.base_url}/nowhere", timeout=5)
    assert raised.value.code == 404
    assert "message" in json.load(raised.value)["error"]
