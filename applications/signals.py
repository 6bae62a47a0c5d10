from django.dispatch import Signal

# Sent inside the transaction of every transition, once its log entry is written; receivers
# record what they must of it (reviews.Review for reviewers' decisions). Arguments: entry, by.
transition_taken = Signal()
