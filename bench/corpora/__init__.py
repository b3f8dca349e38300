"""Development corpora read at run time by `wirestream eval` (never committed to the repository).

Each corpus is a public repository fetched as a git mirror; `locate` finds it under the corpora
folder (`--corpora DIR` or `WIRESTREAM_CORPORA`, default the mirrors beside the checkout) and
`Mirror` reads the named paths from it without a work tree.
"""
