"""The reference site's generator: openapi.yaml to Markdown pages, samples and ShareX files.

Loaded by docs/hooks.py during `mkdocs build`; it is not part of the installed package.
"""
