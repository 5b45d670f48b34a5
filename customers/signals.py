"""What customers announce to the features above it (which it may not import).

``consent_recorded`` is sent by ``consent_record`` inside its transaction, once the row
is written, with ``consent`` (the new row). The floor listens to end the visits of a
shopper who withdrew in-store recognition and to take their card off the tablets (after
commit): a withdrawal takes effect everywhere at once, whoever records it."""

from django.dispatch import Signal

consent_recorded = Signal()
