#!/usr/bin/env sh
# Same as `npm install && npm start`: installs what is missing, then runs Threadline on its
# embedded defaults (local engine, SQLite under ./data, no keys; the one download is the
# embedding model's, once, unless EMBEDDING_MODEL_DIR or EMBEDDINGS=hash).
set -e
cd "$(dirname "$0")"
# ONNXRUNTIME_NODE_INSTALL=skip: with an npm older than 11.16 (which ignores package.json's
# allowScripts), onnxruntime-node would download its unused CUDA provider on Linux x64.
[ -d node_modules ] || ONNXRUNTIME_NODE_INSTALL=skip npm install
exec npm start
