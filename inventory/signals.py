"""What inventory announces to the features above it (which it may not import).

``stock_back`` is sent after the commit of a till delta or a snapshot, with ``store_id``
and ``variant_ids``: the variants that had no unit available in that store before and
have some now. The client book listens to tell the clients who wished for them."""

from django.dispatch import Signal

stock_back = Signal()
