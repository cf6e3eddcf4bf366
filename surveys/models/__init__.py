"""All tables of Avis; import from here."""

from .actions import ACTION_STATUSES, Action
from .base import Base, UTCDateTime, utcnow
from .indicators import INDICATOR_KINDS, INDICATOR_UNITS, Indicator, IndicatorValue
from .questionnaires import (
    Campaign,
    CampaignScope,
    CampaignTarget,
    Criterion,
    Questionnaire,
    QuestionnaireItem,
)
from .reclamations import (
    CHANNELS as RECLAMATION_CHANNELS,
)
from .reclamations import (
    KINDS as RECLAMATION_KINDS,
)
from .reclamations import (
    REPLY_CHANNELS,
    Reclamation,
    ReclamationCategory,
    ReclamationEvent,
    ReferenceCounter,
    ReplyTemplate,
)
from .reclamations import STATUSES as RECLAMATION_STATUSES
from .responses import (
    RESPONSE_CHANNELS,
    SUBMITTED_CHANNELS,
    Answer,
    RefusedSubmission,
    Response,
    Tablet,
)
from .sites import Service, Site
from .tallies import HourTally, MixTally, RatingTally  # noqa: F401
from .users import ROLES, AuditEntry, LoginFailure, OutboxMessage, User, UserScope
from .versioning import ReferenceStamp, bump_reference_stamp

__all__ = [
    "SUBMITTED_CHANNELS",
    "ACTION_STATUSES",
    "Action",
    "Answer",
    "AuditEntry",
    "Base",
    "Campaign",
    "CampaignScope",
    "CampaignTarget",
    "Criterion",
    "INDICATOR_KINDS",
    "INDICATOR_UNITS",
    "Indicator",
    "IndicatorValue",
    "LoginFailure",
    "OutboxMessage",
    "ReplyTemplate",
    "Questionnaire",
    "QuestionnaireItem",
    "RECLAMATION_CHANNELS",
    "RECLAMATION_KINDS",
    "RECLAMATION_STATUSES",
    "REPLY_CHANNELS",
    "RESPONSE_CHANNELS",
    "ROLES",
    "Reclamation",
    "ReclamationCategory",
    "ReclamationEvent",
    "ReferenceCounter",
    "ReferenceStamp",
    "RefusedSubmission",
    "Response",
    "Service",
    "Site",
    "Tablet",
    "UTCDateTime",
    "User",
    "UserScope",
    "bump_reference_stamp",
    "utcnow",
]
