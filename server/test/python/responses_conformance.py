"""Drives Threadline's /v1/responses and /v1/conversations through the official openai-python SDK.

Run by server/test/responses-conformance.test.ts against a real server process. Environment:
THREADLINE_BASE_URL (the /v1 base URL), THREADLINE_LLM_MODEL (the loopback chat-completions
double, which calls the first offered function), THREADLINE_SLOW_MODEL (streams slowly, for
cancelling), THREADLINE_VECTOR_STORE_ID (a store holding hotels.md and parking.md). Prints one
"ok <check>" line per check; any failure raises.
"""

import os
import sys
import time

from openai import BadRequestError, NotFoundError, OpenAI

BASE_URL = os.environ["THREADLINE_BASE_URL"]
LLM_MODEL = os.environ["THREADLINE_LLM_MODEL"]
SLOW_MODEL = os.environ["THREADLINE_SLOW_MODEL"]
STORE_ID = os.environ["THREADLINE_VECTOR_STORE_ID"]
EXTRACTIVE = "threadline-extractive"

client = OpenAI(base_url=BASE_URL, api_key="conformance", max_retries=0)
FILE_SEARCH = {"type": "file_search", "vector_store_ids": [STORE_ID]}
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    "strict": False,
}


def expect_error(call, status: int, param=None, code=None) -> None:
    try:
        call()
    except (BadRequestError, NotFoundError) as error:
        assert error.status_code == status, (error.status_code, error.response.text)
        body = error.response.json()["error"]
        assert set(body) == {"message", "type", "param", "code"}, body
        assert body["type"] == "invalid_request_error", body
        if param is not None:
            assert body["param"] == param, body
        if code is not None:
            assert body["code"] == code, body
        return
    raise AssertionError(f"expected a {status}")


def check_file_search_with_citations() -> None:
    response = client.responses.create(
        model=EXTRACTIVE,
        input="What is the hotel cap per night?",
        instructions="Answer from the documents.",
        tools=[{**FILE_SEARCH, "max_num_results": 5}],
        include=["file_search_call.results"],
        metadata={"suite": "python"},
        temperature=0.5,
        store=True,
    )
    assert response.status == "completed", response.status
    assert response.instructions == "Answer from the documents."
    assert response.metadata == {"suite": "python"} and response.temperature == 0.5
    search, message = response.output[0], response.output[-1]
    assert search.type == "file_search_call" and search.status == "completed", search
    assert "hotels.md" in [result.filename for result in search.results], search.results
    assert message.type == "message" and message.role == "assistant"
    text = message.content[0]
    assert "150 euros" in response.output_text and "【" not in text.text, text.text
    citation = text.annotations[0]
    assert citation.type == "file_citation" and citation.filename == "hotels.md", citation
    assert 0 <= citation.index <= len(text.text)
    assert client.responses.retrieve(response.id).output_text == response.output_text
    print("ok responses.create with file_search: results, file_citation annotations, no markers")


def check_stream_helper() -> None:
    types = []
    numbers = []
    with client.responses.stream(
        model=EXTRACTIVE, input="Where do visitors park?", tools=[FILE_SEARCH]
    ) as stream:
        for event in stream:
            types.append(event.type)
            numbers.append(event.sequence_number)
        final = stream.get_final_response()
    assert numbers == list(range(len(numbers))), numbers
    assert types[:7] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.file_search_call.in_progress",
        "response.file_search_call.searching",
        "response.file_search_call.completed",
        "response.output_item.done",
    ], types
    assert types[-4:] == [
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ], types
    assert "response.output_text.annotation.added" in types
    assert "level two" in final.output_text, final.output_text
    print("ok responses.stream(): OpenAI's event order, sequence numbers from 0, final response")


def check_previous_response_and_input_items() -> None:
    first = client.responses.create(model=EXTRACTIVE, input="What is the hotel cap per night?", tools=[FILE_SEARCH])
    second = client.responses.create(
        model=EXTRACTIVE, previous_response_id=first.id, input="Where do visitors park?", tools=[FILE_SEARCH]
    )
    assert second.previous_response_id == first.id
    assert "level two" in second.output_text
    items = client.responses.input_items.list(second.id, order="asc")
    assert [item.role for item in items.data] == ["user"], items.data
    assert items.data[0].content[0].text == "Where do visitors park?"
    print("ok previous_response_id and input_items")


def check_conversations_and_items() -> None:
    conversation = client.conversations.create(
        metadata={"topic": "travel"}, items=[{"type": "message", "role": "user", "content": "Hello"}]
    )
    assert conversation.object == "conversation" and conversation.metadata == {"topic": "travel"}
    assert client.conversations.retrieve(conversation.id).id == conversation.id
    assert client.conversations.update(conversation.id, metadata={"topic": "hotels"}).metadata == {"topic": "hotels"}
    added = client.conversations.items.create(
        conversation.id,
        items=[{"type": "message", "role": "user", "content": f"Note {index}"} for index in range(4)],
    )
    assert len(added.data) == 4
    texts = [item.content[0].text for item in client.conversations.items.list(conversation.id, order="asc", limit=2)]
    assert texts == ["Hello", "Note 0", "Note 1", "Note 2", "Note 3"], texts
    item = client.conversations.items.retrieve(added.data[0].id, conversation_id=conversation.id)
    assert item.id == added.data[0].id
    assert client.conversations.items.delete(item.id, conversation_id=conversation.id).id == conversation.id

    response = client.responses.create(
        model=EXTRACTIVE, conversation=conversation.id, input="What is the hotel cap per night?", tools=[FILE_SEARCH]
    )
    assert response.conversation.id == conversation.id
    kinds = [item.type for item in client.conversations.items.list(conversation.id, order="desc", limit=3).data]
    assert kinds == ["message", "file_search_call", "message"], kinds
    expect_error(
        lambda: client.conversations.items.create(
            conversation.id, items=[{"type": "message", "role": "user", "content": "x"}] * 21
        ),
        400,
        param="items",
        code="array_above_max_length",
    )
    assert client.conversations.delete(conversation.id).deleted
    expect_error(lambda: client.conversations.retrieve(conversation.id), 404)
    print("ok conversations: create, retrieve, update, delete; items create, list (paged), retrieve, delete")


def check_function_calls() -> None:
    asked = client.responses.create(model=LLM_MODEL, input="Weather in Oslo?", tools=[WEATHER])
    [call] = [item for item in asked.output if item.type == "function_call"]
    assert call.name == "get_weather" and call.arguments == '{"city":"Oslo"}', call
    answered = client.responses.create(
        model=LLM_MODEL,
        previous_response_id=asked.id,
        tools=[WEATHER],
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "sunny"}],
    )
    assert answered.output_text == "The tool said: sunny.", answered.output_text
    print("ok function calls through the chat-completions double, continued with function_call_output")


def check_background_cancel_and_resume() -> None:
    seen = []
    response_id = None
    for event in client.responses.create(
        model=SLOW_MODEL,
        input="What is the hotel cap per night?",
        tools=[FILE_SEARCH],
        background=True,
        stream=True,
    ):
        seen.append(event)
        if event.type == "response.created":
            response_id = event.response.id
            assert event.response.status == "queued" and event.response.background
        if event.type == "response.output_text.delta" and len(seen) == 12:
            assert client.responses.cancel(response_id).status == "cancelled"
    assert [event.sequence_number for event in seen] == list(range(len(seen)))
    assert seen[-1].type == "response.incomplete" and seen[-1].response.status == "cancelled", seen[-1]
    assert client.responses.retrieve(response_id).status == "cancelled"
    resumed = list(client.responses.retrieve(response_id, stream=True, starting_after=4))
    assert [event.sequence_number for event in resumed] == list(range(5, len(seen))), resumed
    with client.responses.stream(response_id=response_id, starting_after=4) as stream:
        helped = [event.sequence_number for event in stream]
    assert helped == list(range(5, len(seen))), helped

    queued = client.responses.create(model=EXTRACTIVE, input="Where do visitors park?", tools=[FILE_SEARCH], background=True)
    deadline = time.monotonic() + 10
    while client.responses.retrieve(queued.id).status != "completed":
        assert time.monotonic() < deadline, "the background response did not complete"
        time.sleep(0.05)
    print("ok background: polled to completion; cancelled mid-stream; resumed with starting_after")


def check_errors() -> None:
    expect_error(lambda: client.responses.retrieve("resp_missing"), 404)
    expect_error(
        lambda: client.responses.create(model=EXTRACTIVE, input="hi", extra_body={"bogus": 1}),
        400,
        param="bogus",
        code="unknown_parameter",
    )
    expect_error(
        lambda: client.responses.create(model=EXTRACTIVE, input="hi", top_p=2),
        400,
        param="top_p",
        code="decimal_above_max_value",
    )
    first = client.responses.create(model=EXTRACTIVE, input="hi")
    conversation = client.conversations.create()
    expect_error(
        lambda: client.responses.create(
            model=EXTRACTIVE, input="hi", previous_response_id=first.id, conversation=conversation.id
        ),
        400,
        param="conversation",
        code="mutually_exclusive_parameters",
    )
    expect_error(
        lambda: client.responses.create(
            model=EXTRACTIVE, input=[{"type": "function_call_output", "call_id": "call_nowhere", "output": "x"}]
        ),
        400,
        param="input",
    )
    expect_error(lambda: client.responses.cancel(first.id), 400)
    assert client.responses.delete(first.id) is None
    expect_error(lambda: client.responses.retrieve(first.id), 404)
    print("ok errors: 404s, unknown parameter, bad value, conversation with previous_response_id, stray output")


def main() -> None:
    check_file_search_with_citations()
    check_stream_helper()
    check_previous_response_and_input_items()
    check_conversations_and_items()
    check_function_calls()
    check_background_cancel_and_resume()
    check_errors()
    print("python responses conformance: all checks passed")


if __name__ == "__main__":
    main()
    sys.exit(0)
