"""Full-text search of the archive, in English and Spanish.

`text` (words and stems), `query` (the query language), `rank` (BM25F over a corpus; the
in-memory corpus), `highlight` (match spans and snippets), `index` (the SQLite file beside the
archive), `index_corpus` (ranking over that file), `service` (the index following writes, and
`search_archive`). Nothing is imported here: a command loads only the modules it uses.
"""
