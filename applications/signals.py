from django.dispatch import Signal

# Sent inside the transaction of every transition a person takes, once its log entry is
# written; receivers record what they must of it (reviews.Review for reviewers' decisions).
# Arguments: entry, by. The scheduler's expiry of drafts, set-based on PostgreSQL, is announced
# by events_recorded only: it is nobody's decision to record.
transition_taken = Signal()

# Sent inside a transaction that wrote outbox events (one per log entry), for whoever delivers
# them to queue the delivery once the transaction commits. Arguments: events (a list of
# OutboxEvent). The applications app records events; it does not know how they are delivered.
events_recorded = Signal()

# Sent inside the transaction that prepared 免申即享 drafts, for whoever tells the enterprises
# to queue the invitations. Arguments: applications (a list of Application, drafts).
proposals_prepared = Signal()
