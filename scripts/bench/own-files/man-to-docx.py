"""Writes a manual page as a Word document, the way a person who pasted it into Word would have it.

Reads the page as groff formats it for a terminal at a very long line length (one line per
paragraph; bold as overstrike) and writes headings as Word headings, option terms in bold,
bullet items as Word list items and examples in a "Code" paragraph style (a monospace font).

Usage: python3 man-to-docx.py NAME.SECTION.gz OUT.docx
"""

import gzip
import re
import subprocess
import sys

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt


def formatted_lines(source):
    with gzip.open(source, "rb") as handle:
        roff = handle.read()
    output = subprocess.run(
        ["groff", "-man", "-Tutf8", "-rLL=5000n", "-P-c"],
        input=roff,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    return output.split("\n")


def runs_of(line):
    """The line as (text, is_bold) runs; groff marks bold as 'X\\bX' overstrike."""
    runs = []
    index = 0
    while index < len(line):
        if index + 2 < len(line) and line[index + 1] == "\b":
            bold = line[index] == line[index + 2]
            char = line[index + 2]
            index += 3
        else:
            bold = False
            char = line[index]
            index += 1
        if runs and runs[-1][1] == bold:
            runs[-1][0] += char
        else:
            runs.append([char, bold])
    return [(text, bold) for text, bold in runs]


def plain(line):
    return re.sub(r".\x08", "", line)


def indent(line):
    return len(plain(line)) - len(plain(line).lstrip(" "))


def blocks_of(lines):
    """Consecutive non-blank lines, without the running title and footer groff prints."""
    body = lines[1:]
    while body and plain(body[-1]).strip() == "":
        body.pop()
    if body:
        body.pop()  # the footer: version, date, title
    blocks, current = [], []
    for line in body:
        if plain(line).strip() == "":
            if current:
                blocks.append(current)
            current = []
        elif indent(line) <= 4:
            # A heading stands alone, though groff sets its first paragraph right under it.
            if current:
                blocks.append(current)
            blocks.append([line])
            current = []
        else:
            current.append(line)
    if current:
        blocks.append(current)
    return blocks


def add_runs(paragraph, line, strip_bullet=False):
    text_runs = runs_of(line.lstrip(" ") if "\b" not in line[:2] else line)
    first = True
    for text, bold in text_runs:
        if first:
            text = text.lstrip(" ")
            if strip_bullet:
                text = re.sub(r"^•\s+", "", text)
            first = False
        if text:
            paragraph.add_run(text).bold = bold


def main(source, target):
    document = Document()
    code = document.styles.add_style("Code", WD_STYLE_TYPE.PARAGRAPH)
    code.base_style = document.styles["Normal"]
    code.font.name = "Courier New"
    code.font.size = Pt(9)
    code.paragraph_format.space_after = Pt(0)
    blocks = blocks_of(formatted_lines(source))
    previous_kind = None
    for number, block in enumerate(blocks):
        first = block[0]
        level = indent(first)
        following = blocks[number + 1][0] if number + 1 < len(blocks) else None
        text = plain(first).strip()
        if level == 0:
            document.add_heading(text, level=1)
            previous_kind = "heading"
        elif level <= 4:
            document.add_heading(text, level=2)
            previous_kind = "heading"
        elif text.startswith("•"):
            for line in block:
                add_runs(document.add_paragraph(style="List Bullet"), line, strip_bullet=True)
            previous_kind = "list"
        elif len(block) == 1 and following is not None and indent(following) > level and len(text) < 100:
            paragraph = document.add_paragraph()
            paragraph.add_run(text).bold = True
            previous_kind = "term"
        elif len(block) > 1 and level <= 7 and any(indent(line) > level for line in block[1:]):
            # Entries set tight, each term at the body's indent with its description under it.
            for line in block:
                if indent(line) <= level:
                    paragraph = document.add_paragraph()
                    paragraph.add_run(plain(line).strip()).bold = True
                else:
                    paragraph = document.add_paragraph()
                    add_runs(paragraph, line)
                    paragraph.paragraph_format.left_indent = Pt(24)
            previous_kind = "description"
        elif len(block) > 1 or (level > 7 and previous_kind not in ("term", "description")):
            for line in block:
                document.add_paragraph(plain(line)[min(indent(l) for l in block):], style="Code")
            previous_kind = "code"
        else:
            paragraph = document.add_paragraph()
            add_runs(paragraph, first)
            if level > 7:
                paragraph.paragraph_format.left_indent = Pt(24)
            previous_kind = "description" if previous_kind in ("term", "description") and level > 7 else "prose"
    document.core_properties.title = plain(blocks[0][0]).strip() if blocks else ""
    document.save(target)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
