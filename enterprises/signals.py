"""What the enterprises room tells the rooms above it, which connect in their ``ready()``."""

from django.dispatch import Signal

# Sent before a person is anonymised, inside the transaction that will do it, so that a room
# holding work that still needs the person can refuse: each receiver returns a list of reasons
# (Chinese sentences), empty when it has none. Arguments: user.
anonymise_requested = Signal()

# Sent inside that transaction once the person's account is anonymised, for each room to drop
# the copies of the person's data it keeps (notifications: their messages). Arguments: user.
person_anonymised = Signal()

# Sent inside the transaction that records an enterprise's report against a department's
# figure (notifications: the system administrators are told). Arguments: disagreement.
disagreement_reported = Signal()

# Sent inside the transaction that records the administrators' answer to it (notifications:
# the enterprise's users are told). Arguments: disagreement.
disagreement_answered = Signal()
