"""The seals service layer, by subject: keeping seals, signing PDFs, verifying them. Callers import
from `tongban.seals.actions` (everything is re-exported here) or the subject module.
"""

from tongban.seals.actions.common import (
    DEFAULT_VALID_DAYS,
    MAX_VALID_DAYS,
    PDF_MAGIC,
    _format_date,
    related_ref,
)
from tongban.seals.actions.keeping import (
    _check_seal_fields,
    _new_seal,
    _preferred_seal,
    create_seal,
    default_seal,
    default_seal_label,
    revoke_seal,
    rotate_seal,
    signing_problem,
)
from tongban.seals.actions.signing import (
    _cms_size,
    _pades_sign,
    _reserve_sizes,
    _signer,
    sign_pdf,
)
from tongban.seals.actions.verification import (
    SIGNATURE_MARKERS,
    SUBJECT_STATUS_PROVIDERS,
    Status,
    SubjectStatus,
    VerificationResult,
    _attach_registry,
    _check_one,
    _find_seal,
    _padding_is_clean,
    register_subject_status,
    subject_status,
    verify_pdf,
)

__all__ = [
    "DEFAULT_VALID_DAYS",
    "MAX_VALID_DAYS",
    "PDF_MAGIC",
    "SIGNATURE_MARKERS",
    "SUBJECT_STATUS_PROVIDERS",
    "Status",
    "SubjectStatus",
    "VerificationResult",
    "_attach_registry",
    "_check_one",
    "_check_seal_fields",
    "_cms_size",
    "_find_seal",
    "_format_date",
    "_new_seal",
    "_padding_is_clean",
    "_pades_sign",
    "_preferred_seal",
    "_reserve_sizes",
    "_signer",
    "create_seal",
    "default_seal",
    "default_seal_label",
    "register_subject_status",
    "related_ref",
    "revoke_seal",
    "rotate_seal",
    "sign_pdf",
    "signing_problem",
    "subject_status",
    "verify_pdf",
]
