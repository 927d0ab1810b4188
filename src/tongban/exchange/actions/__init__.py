"""The exchange service layer. Every change to resources, consumers, grants, requests, the call
log and bulk copies goes through these modules: validate, write in one transaction with a history
row and an audit record.

- catalogue: resource classes, resources, versions (draft → published → superseded/withdrawn)
- access: consumers, grants, access requests (approve/refuse)
- query: authorised, logged calls to providers
- calllog: the call log, its sealed checkpoints and verification
- bulk: bulk files loaded into local copies, with quality reports
"""

from tongban.exchange.actions.errors import ExchangeDenied  # noqa: F401
