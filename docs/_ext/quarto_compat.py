"""Heading anchors as Quarto (pandoc) makes them, so links written for nbdev's Quarto site work here too.

nbdev links a name in backticks to `PAGE.html#anchor`, with pandoc's identifier: `SelfAdjustingSmoothL1.forward`
becomes `selfadjustingsmoothl1.forward` (dots and underscores kept), where MyST's GitHub preset would drop the dot.
"""
import re

def pandoc_slug(title: str) -> str:
    "Pandoc's auto identifier: keep letters, digits, `_`, `-`, `.`; spaces to `-`; lower case; from the first letter."
    slug = re.sub(r'[^\w\s.-]', '', title).strip().lower()
    slug = re.sub(r'\s+', '-', slug)
    return re.sub(r'^[^a-z]+', '', slug)
