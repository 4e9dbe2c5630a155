#!/usr/bin/env sh
# Same as `npm install && npm start`: installs what is missing, then runs Threadline on its
# embedded defaults (local engine, SQLite under ./data, no keys, no network).
set -e
cd "$(dirname "$0")"
[ -d node_modules ] || npm install
exec npm start
