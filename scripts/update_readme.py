#!/usr/bin/env python3
"""Rewrites README's generated sections from `copyimage-conformance docs`.

Each `<!-- generated:NAME -->` ... `<!-- /generated:NAME -->` block of README.md is
replaced by the block of the same name that the docs command prints; tests/readme.rs
checks that README is equal to it. Run from the repository's root.
"""
import re
import subprocess
import sys

docs = subprocess.run(["cargo", "run", "-q", "--", "docs"], capture_output=True, text=True, check=True).stdout
blocks = dict(re.findall(r"<!-- generated:([a-z-]+) -->\n(.*?)<!-- /generated:\1 -->", docs, re.S))
text = open("README.md", encoding="utf-8").read()
for name, body in blocks.items():
    pattern = r"<!-- generated:%s -->\n.*?<!-- /generated:%s -->" % (name, name)
    if not re.search(pattern, text, re.S):
        sys.exit(f"README.md has no generated:{name} block")
    text = re.sub(pattern, lambda _: f"<!-- generated:{name} -->\n{body}<!-- /generated:{name} -->", text, flags=re.S)
open("README.md", "w", encoding="utf-8").write(text)
print("README.md: " + ", ".join(blocks))
