#!/usr/bin/env bash
# Rebuilds the own-files answer corpora from documentation installed on a Debian machine: manual
# pages printed to PDF (groff → ps2pdf), manual pages written as Word documents (python-docx) and
# HTML manual pages as shipped. The results are committed; run this only to regenerate them.
# Needs: groff-base, ghostscript (ps2pdf), python3 with python-docx, git-man, apt, openssh-client,
# util-linux (fstab), coreutils, libpam-modules, npm and nodejs (with its /usr/share/doc/nodejs/api),
# valgrind, python3 (its /usr/share/doc/python3), chromium and pandoc installed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
man="/usr/share/man"

pdf() { zcat "$man/$1" | groff -mandoc -Tps | ps2pdf - "$2"; }
docx() { python3 "$here/man-to-docx.py" "$man/$1" "$2"; }

mkdir -p "$here/tuning" "$here/held-out"
# The set the answerer may be tuned on.
pdf man1/git-stash.1.gz "$here/tuning/git-stash.pdf"
docx man5/sources.list.5.gz "$here/tuning/sources.list.docx"
cp "$(npm root -g)/npm/docs/output/configuring-npm/package-json.html" "$here/tuning/package-json.html"
# Held out: measured, never tuned on.
pdf man5/ssh_config.5.gz "$here/held-out/ssh_config.pdf"
docx man5/fstab.5.gz "$here/held-out/fstab.docx"
cp /usr/share/doc/nodejs/api/readline.html "$here/held-out/readline.html"
# Unseen: written after the held-out set's misses had been read, never tuned on.
mkdir -p "$here/unseen"
pdf man1/tar.1.gz "$here/unseen/tar.pdf"
docx man5/resolv.conf.5.gz "$here/unseen/resolv.conf.docx"
cp /usr/share/doc/nodejs/api/path.html "$here/unseen/path.html"
# Judge: the answerer's blind check (issue #23, third round); the bench never prints its misses.
mkdir -p "$here/judge"
pdf man1/gzip.1.gz "$here/judge/gzip.pdf"
docx man5/nsswitch.conf.5.gz "$here/judge/nsswitch.conf.docx"
cp /usr/share/doc/nodejs/api/timers.html "$here/judge/timers.html"
# Blind: written after the fourth round's rules were chosen on the held-out and unseen misses.
mkdir -p "$here/blind"
pdf man1/sort.1.gz "$here/blind/sort.pdf"
docx man5/limits.conf.5.gz "$here/blind/limits.conf.docx"
cp /usr/share/doc/nodejs/api/os.html "$here/blind/os.html"
# Manuals: other tools than the sets above (DocBook XSL's HTML as valgrind ships it, that manual's
# Memcheck chapter printed to PDF by Chromium, the Debian Python policy's Sphinx page written as
# Word by pandoc; pandoc from PyPI's pypandoc_binary 1.17, pandoc 3.9).
mkdir -p "$here/manuals"
cp /usr/share/doc/valgrind/html/manual-core.html "$here/manuals/manual-core.html"
npx tsx "$here/print-pdf.ts" /usr/share/doc/valgrind/html/mc-manual.html "$here/manuals/mc-manual.pdf"
body="$(mktemp --suffix=.html)"
python3 "$here/sphinx-body.py" /usr/share/doc/python3/python-policy.html "$body"
pandoc "$body" --toc -o "$here/manuals/python-policy.docx"
rm -f "$body"
ls -l "$here/tuning" "$here/held-out" "$here/unseen" "$here/judge" "$here/blind" "$here/manuals"
