"""django-filter FilterSets over the read-model querysets, one module per page (catalogue, ledger).

They live on the read side so the pages' filtering still reads only read models; the web forms reuse them.
"""
