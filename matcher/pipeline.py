"""Document text → repaired text → parsed clauses → enriched measures (a Document)."""
# Implemented by text.py + parse.py + enrich.py; see build_document().
