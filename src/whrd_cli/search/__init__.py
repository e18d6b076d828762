"""Full-text search of the archive, in English and Spanish.

`text` (words and stems), `query` (the query language), `result` (hits and totals), `rank` (the
search of stored dicts through an index built in memory), `highlight` (match spans and snippets),
`index` (the SQLite file beside the archive), `index_corpus` (the query compiled to SQL: FTS5's
`bm25()` ranks, filters and limits), `service` (the index following writes, and `search_archive`).
Nothing is imported here: a command loads only the modules it uses.
"""
