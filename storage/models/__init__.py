"""Database tables of Lindungi (SQLModel), in their own metadata with named constraints.

One module per part of the product; every name is importable from here.
"""

from storage.models.base import (
    GENDERS,
    LANGUAGES,
    NAMING_CONVENTION,
    NOTIFICATION_KINDS,
    NOTIFICATION_STATES,
    REGISTRATION_STATUSES,
    ROLES,
    Base,
    UTCDateTime,
    metadata,
    utcnow,
)
from storage.models.broadcasts import (
    BROADCAST_STATUSES,
    RECIPIENT_STATUSES,
    Broadcast,
    BroadcastRecipient,
    WorkerChat,
)
from storage.models.officials import (
    ApiToken,
    ConsoleSession,
    LoginThrottle,
    Official,
    RecoveryCode,
)
from storage.models.workers import (
    DATA_REQUEST_KINDS,
    DATA_REQUEST_STATES,
    QUESTION_STATES,
    REPLY_DELIVERY_STATES,
    AuditLog,
    Consent,
    DataRequest,
    FlowSubmission,
    Notification,
    Question,
    QuotaUsage,
    Region,
    Registration,
)

__all__ = [
    "BROADCAST_STATUSES",
    "DATA_REQUEST_KINDS",
    "DATA_REQUEST_STATES",
    "GENDERS",
    "LANGUAGES",
    "NAMING_CONVENTION",
    "NOTIFICATION_KINDS",
    "NOTIFICATION_STATES",
    "QUESTION_STATES",
    "RECIPIENT_STATUSES",
    "REGISTRATION_STATUSES",
    "REPLY_DELIVERY_STATES",
    "ROLES",
    "ApiToken",
    "AuditLog",
    "Base",
    "Broadcast",
    "BroadcastRecipient",
    "Consent",
    "ConsoleSession",
    "DataRequest",
    "FlowSubmission",
    "LoginThrottle",
    "Notification",
    "Official",
    "Question",
    "QuotaUsage",
    "RecoveryCode",
    "Region",
    "Registration",
    "UTCDateTime",
    "WorkerChat",
    "metadata",
    "utcnow",
]
