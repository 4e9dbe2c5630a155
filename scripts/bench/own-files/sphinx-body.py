"""Cuts the body of a Sphinx page (its `div.body`) out of the page's navigation and sidebar, as a
person copies the document itself into Word. Usage: python3 sphinx-body.py page.html out.html"""
import sys

page = open(sys.argv[1], encoding="utf-8").read()
start = page.index('<div class="body" role="main">')
end = page.index('<div class="sphinxsidebar"')
title = page[page.index("<title>") + 7 : page.index("</title>")]
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.write(f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>{page[start:end]}</body></html>')
