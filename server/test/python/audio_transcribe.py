"""openai-python's audio.transcriptions.create against Threadline: one JSON line per file."""

import json
import os
import sys

from openai import OpenAI

client = OpenAI(base_url=os.environ["THREADLINE_BASE_URL"], api_key="none")
for path in sys.argv[1:]:
    with open(path, "rb") as audio:
        result = client.audio.transcriptions.create(model="whisper-1", file=audio)
    print(json.dumps({"path": path, "text": result.text}), flush=True)
with open(sys.argv[1], "rb") as audio:
    text = client.audio.transcriptions.create(model="whisper-1", file=audio, response_format="text")
print(json.dumps({"path": "text-format", "text": text}), flush=True)
