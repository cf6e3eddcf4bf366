"""Back office: administration of the configuration, the accounts and the audit log.

One module per area; importing them registers their views on the blueprint.
"""

from . import (  # noqa: F401
    admin_campaigns,
    admin_questionnaires,
    admin_sites,
    admin_tablets,
    admin_templates,
    admin_users,
    bp,
)
