from django.dispatch import Signal

# Sent inside the transaction of an import that changed the departments' data (a new or
# changed row), for whoever reads that data to act once it commits: 免申即享 prepares the open
# windows' proposals. Arguments: batch (the ImportBatch).
batch_applied = Signal()
