"""The policies service layer. Every change goes through these modules, one transaction each,
with a history row where the object has a status, and an audit record.

- lifecycle: policies (draft → published → suspended → expired), validation, dry run
- matching: matching runs (full, incremental, partitions as Celery tasks), change records
- offers: offers to people and enterprises, one-step confirmation, bank accounts
- payments: payment batches per cycle, exports, sealed cover sheet, reconciliation
- objections: objections to the policy department, answered within a deadline
"""
