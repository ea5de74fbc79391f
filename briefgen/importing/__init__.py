"""The parts of `briefgen import`, one job each; `briefgen.importer.import_brief` runs them.

furniture: drops web-page lines that are no part of the brief. language: finds the language
the draft is in (English, Russian or Kazakh), which the other parts read it in. plain, markdown:
read the input into blocks and sections (outline). body: writes those as the content format's
Markdown. folder: writes brief.md and sources.yaml and loads them back. The content format's
own grammar (section names, list items, `**Title:**` leads, detail keys) is `briefgen.sections`,
which the loader reads with: what the importer writes is read by the same rules.
"""
