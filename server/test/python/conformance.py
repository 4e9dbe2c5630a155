"""Drives Threadline's /v1 through the official openai-python SDK, as a migrating user would.

Run by server/test/v1-conformance.test.ts against a real server process. Environment:
THREADLINE_BASE_URL (the /v1 base URL), THREADLINE_LLM_MODEL (answers from the loopback
chat-completions double, which calls the first offered function), THREADLINE_SLOW_MODEL (streams
slowly, for cancelling). Prints one "ok <check>" line per check; any failure raises.
"""

import io
import os
import sys
import time

from openai import AssistantEventHandler, BadRequestError, NotFoundError, OpenAI

BASE_URL = os.environ["THREADLINE_BASE_URL"]
LLM_MODEL = os.environ["THREADLINE_LLM_MODEL"]
SLOW_MODEL = os.environ["THREADLINE_SLOW_MODEL"]
EXTRACTIVE = "threadline-extractive"

client = OpenAI(base_url=BASE_URL, api_key="conformance", max_retries=0)

PARKING = b"# Parking\n\nVisitors park on level two of the north garage.\n"
HOTELS = b"# Hotels\n\nThe hotel cap is 150 euros per night in every city.\n"


def upload(name: str, data: bytes):
    return client.files.create(file=(name, io.BytesIO(data)), purpose="assistants")


def answer_text(thread_id: str) -> str:
    [message] = client.beta.threads.messages.list(thread_id=thread_id, limit=1).data
    return message.content[0].text.value


def expect_openai_error(error, status: int) -> None:
    assert error.status_code == status, error.status_code
    body = error.response.json()
    assert set(body["error"]) == {"message", "type", "param", "code"}, body
    assert body["error"]["type"] == "invalid_request_error", body


def check_files_and_vector_stores() -> None:
    file = upload("parking.md", PARKING)
    assert file.object == "file" and file.filename == "parking.md"
    assert client.files.retrieve(file.id).id == file.id
    assert client.files.content(file.id).read() == PARKING
    assert file.id in [item.id for item in client.files.list()]

    store = client.vector_stores.create(name="conformance", metadata={"suite": "python"})
    store = client.vector_stores.update(store.id, name="conformance-renamed")
    assert client.vector_stores.retrieve(store.id).name == "conformance-renamed"
    attached = client.vector_stores.files.upload_and_poll(
        vector_store_id=store.id, file=("hotels.md", io.BytesIO(HOTELS))
    )
    assert attached.status == "completed", attached.status
    batch = client.vector_stores.file_batches.upload_and_poll(
        vector_store_id=store.id,
        files=[("a.md", io.BytesIO(b"# A\n\nalpha\n")), ("b.md", io.BytesIO(b"# B\n\nbeta\n"))],
    )
    assert batch.status == "completed" and batch.file_counts.completed == 2, batch
    listed = client.vector_stores.files.list(vector_store_id=store.id)
    assert len(listed.data) == 3, listed
    batch_files = client.vector_stores.file_batches.list_files(batch_id=batch.id, vector_store_id=store.id)
    assert len(batch_files.data) == 2
    deleted = client.vector_stores.files.delete(attached.id, vector_store_id=store.id)
    assert deleted.deleted
    assert client.vector_stores.delete(store.id).deleted
    assert client.files.delete(file.id).deleted
    try:
        client.files.retrieve(file.id)
        raise AssertionError("a deleted file is still there")
    except NotFoundError as error:
        expect_openai_error(error, 404)
    print("ok files, vector stores, vector-store files and batches (upload_and_poll), deletes")


def check_assistants_threads_messages() -> None:
    assistant = client.beta.assistants.create(model=EXTRACTIVE, name="crud", tools=[{"type": "file_search"}])
    assistant = client.beta.assistants.update(assistant.id, description="updated")
    assert client.beta.assistants.retrieve(assistant.id).description == "updated"
    thread = client.beta.threads.create()
    thread = client.beta.threads.update(thread.id, metadata={"k": "v"})
    assert client.beta.threads.retrieve(thread.id).metadata == {"k": "v"}
    message = client.beta.threads.messages.create(thread_id=thread.id, role="user", content="hello")
    message = client.beta.threads.messages.update(message.id, thread_id=thread.id, metadata={"m": "1"})
    assert client.beta.threads.messages.retrieve(message.id, thread_id=thread.id).metadata == {"m": "1"}
    assert client.beta.threads.messages.delete(message.id, thread_id=thread.id).deleted
    assert client.beta.threads.delete(thread.id).deleted
    assert client.beta.assistants.delete(assistant.id).deleted
    for retrieve in (
        lambda: client.beta.assistants.retrieve(assistant.id),
        lambda: client.beta.threads.retrieve(thread.id),
    ):
        try:
            retrieve()
            raise AssertionError("a deleted object is still there")
        except NotFoundError as error:
            expect_openai_error(error, 404)
    print("ok assistants, threads and messages: create, retrieve, update, delete")


def check_pagination() -> None:
    ids = [
        client.beta.assistants.create(model=EXTRACTIVE, metadata={"page": "python"}).id for _ in range(5)
    ]
    newest_first = [item.id for item in client.beta.assistants.list(limit=2)]  # auto-pages with after
    assert [i for i in newest_first if i in ids] == list(reversed(ids)), newest_first
    page = client.beta.assistants.list(order="asc", limit=2, before=ids[3])
    assert [item.id for item in page.data] == ids[1:3], page
    assert page.has_more and page.first_id == ids[1] and page.last_id == ids[2]
    page = client.beta.assistants.list(order="asc", limit=2, after=ids[2])
    assert [item.id for item in page.data] == ids[3:5]
    page = client.beta.assistants.list(order="desc", limit=2, before=ids[1])
    assert [item.id for item in page.data] == [ids[3], ids[2]]
    for assistant_id in ids:
        client.beta.assistants.delete(assistant_id)
    print("ok pagination: limit, order, after, before, has_more, first_id, last_id")


def searchable_assistant():
    store = client.vector_stores.create(name="python-knowledge")
    client.vector_stores.files.upload_and_poll(vector_store_id=store.id, file=("hotels.md", io.BytesIO(HOTELS)))
    return client.beta.assistants.create(
        model=EXTRACTIVE,
        tools=[{"type": "file_search"}],
        tool_resources={"file_search": {"vector_store_ids": [store.id]}},
    )


def check_create_and_poll_is_fast(assistant) -> None:
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "What is the hotel cap per night?"}])
    started = time.monotonic()
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    elapsed = time.monotonic() - started
    assert run.status == "completed", run.status
    assert elapsed < 1.0, f"create_and_poll took {elapsed:.2f} s"
    assert "150 euros" in answer_text(thread.id)
    print(f"ok create_and_poll finished in {elapsed * 1000:.0f} ms")


class Recorder(AssistantEventHandler):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []
        self.text = ""

    def on_text_delta(self, delta, snapshot) -> None:
        self.text += delta.value or ""

    def on_tool_call_created(self, tool_call) -> None:
        self.seen.append(f"created:{tool_call.type}")

    def on_tool_call_delta(self, delta, snapshot) -> None:
        self.seen.append(f"delta:{delta.type}")

    def on_tool_call_done(self, tool_call) -> None:
        if tool_call.type == "function":
            self.seen.append(f"done:function:{tool_call.function.name}:{tool_call.function.arguments}")
        elif tool_call.type == "file_search":
            names = sorted({result.file_name for result in tool_call.file_search.results or []})
            self.seen.append(f"done:file_search:{','.join(names)}")


def check_streamed_text_and_file_search(assistant) -> None:
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "What is the hotel cap per night?"}])
    recorder = Recorder()
    with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id, event_handler=recorder) as stream:
        stream.until_done()
        run = stream.get_final_run()
    assert run.status == "completed", run.status
    # The SDK repeats on_tool_call_done at every later step and run end (its own bookkeeping).
    assert list(dict.fromkeys(recorder.seen)) == [
        "created:file_search",
        "delta:file_search",
        "done:file_search:hotels.md",
    ], recorder.seen
    assert "150 euros" in recorder.text, recorder.text
    print("ok streaming: text deltas and the file_search step (on_tool_call_created/delta/done)")


class FunctionCaller(Recorder):
    """Submits outputs from the handler, as OpenAI's docs do."""

    def __init__(self, thread_id: str) -> None:
        super().__init__()
        self.thread_id = thread_id
        self.continuation: Recorder | None = None

    def on_event(self, event) -> None:
        if event.event == "thread.run.requires_action":
            calls = event.data.required_action.submit_tool_outputs.tool_calls
            self.continuation = Recorder()
            with client.beta.threads.runs.submit_tool_outputs_stream(
                thread_id=self.thread_id,
                run_id=event.data.id,
                tool_outputs=[{"tool_call_id": call.id, "output": "sunny"} for call in calls],
                event_handler=self.continuation,
            ) as stream:
                stream.until_done()


def check_function_calling() -> None:
    assistant = client.beta.assistants.create(
        model=LLM_MODEL,
        tools=[{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}],
    )
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather in Oslo?"}])
    caller = FunctionCaller(thread.id)
    with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id, event_handler=caller) as stream:
        stream.until_done()
    assert caller.seen[0] == "created:function", caller.seen
    assert "delta:function" in caller.seen, caller.seen
    assert caller.seen[-1] == 'done:function:get_weather:{"city":"Oslo"}', caller.seen
    assert caller.continuation is not None and caller.continuation.text == "The tool said: sunny.", caller.continuation
    [run] = client.beta.threads.runs.list(thread_id=thread.id).data
    assert run.status == "completed", run.status
    print("ok function calling: on_tool_call_* fire, submit_tool_outputs_stream from the handler")


class Canceller(AssistantEventHandler):
    def __init__(self, thread_id: str) -> None:
        super().__init__()
        self.thread_id = thread_id
        self.cancelled = None

    def on_text_delta(self, delta, snapshot) -> None:
        if self.cancelled is None:
            self.cancelled = client.beta.threads.runs.cancel(self.current_run.id, thread_id=self.thread_id)


def check_cancel_mid_stream(knowledge) -> None:
    # With something found to ground it, the answer comes from the (slow) model.
    assistant = client.beta.assistants.create(
        model=SLOW_MODEL, tools=[{"type": "file_search"}], tool_resources=knowledge.tool_resources.to_dict()
    )
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "What is the hotel cap per night?"}])
    canceller = Canceller(thread.id)
    with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id, event_handler=canceller) as stream:
        stream.until_done()
        run = stream.get_final_run()
    assert canceller.cancelled is not None and canceller.cancelled.status in ("cancelling", "cancelled")
    assert run.status == "cancelled", run.status
    print("ok runs.cancel mid-stream")


def check_attachments_and_helper(assistant) -> None:
    file = upload("parking.md", PARKING)
    thread = client.beta.threads.create()
    attachments = [{"file_id": file.id, "tools": [{"type": "file_search"}]}]
    message = client.beta.threads.messages.create(
        thread_id=thread.id, role="user", content="Where do visitors park?", attachments=attachments
    )
    assert [attachment.file_id for attachment in message.attachments] == [file.id]
    assert len(client.beta.threads.retrieve(thread.id).tool_resources.file_search.vector_store_ids) == 1
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    assert run.status == "completed" and "level two" in answer_text(thread.id)

    helped = client.beta.threads.create(
        messages=[{"role": "user", "content": "Where do visitors park?"}],
        tool_resources={"file_search": {"vector_stores": [{"file_ids": [file.id]}]}},
    )
    [store_id] = helped.tool_resources.file_search.vector_store_ids
    assert client.vector_stores.retrieve(store_id).file_counts.completed == 1
    run = client.beta.threads.runs.create_and_poll(thread_id=helped.id, assistant_id=assistant.id)
    assert run.status == "completed" and "level two" in answer_text(helped.id)
    print("ok attachments and the vector_stores helper make files searchable")


def check_errors() -> None:
    try:
        client.beta.assistants.create(model=EXTRACTIVE, extra_body={"bogus_param": 1})
        raise AssertionError("an unknown parameter was accepted")
    except BadRequestError as error:
        expect_openai_error(error, 400)
        assert error.param == "bogus_param", error.param
    try:
        client.beta.threads.runs.retrieve("run_missing", thread_id="thread_missing")
        raise AssertionError("a missing run was found")
    except NotFoundError as error:
        expect_openai_error(error, 404)
    print("ok 400 and 404 bodies in OpenAI's error shape")


def main() -> None:
    check_files_and_vector_stores()
    check_assistants_threads_messages()
    check_pagination()
    assistant = searchable_assistant()
    check_create_and_poll_is_fast(assistant)
    check_streamed_text_and_file_search(assistant)
    check_function_calling()
    check_cancel_mid_stream(assistant)
    check_attachments_and_helper(assistant)
    check_errors()
    print("python conformance: all checks passed")


if __name__ == "__main__":
    main()
    sys.exit(0)
