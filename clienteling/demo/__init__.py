"""Demo and benchmark data for ``manage.py seed_demo`` (a believable French retailer)."""
