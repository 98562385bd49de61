"""The staff web UI: thin views, forms, django-tables2 tables, filters, row fragments, template tags, urls."""
