"""manage.py commands of the products app."""
