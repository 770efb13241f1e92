"""Real-name check (实名核验) of a writer's name and ID number with the configured provider.

The ID number has already passed the local GB 11643 checks. A mismatch is the citizen's error to
correct (a field error, nothing stored, the SMS code not spent). A provider that cannot answer
must not cost the citizen the submission: it is stored and marked for staff to verify.
"""

import logging

from backend_bridge.models import IdentityCheck
from backend_bridge.providers import ProviderError, get_id_verifier

from .errors import InvalidInput

logger = logging.getLogger(__name__)


def verify_identity(name: str, id_number: str) -> str:
    """The IdentityCheck value for this writer; raises InvalidInput when name and ID disagree."""
    if not id_number:
        return IdentityCheck.NOT_GIVEN
    try:
        matches = get_id_verifier().verify(name, id_number)
    except ProviderError as exc:
        logger.warning("identity verification unavailable: %s", exc)
        return IdentityCheck.UNAVAILABLE
    if not matches:
        raise InvalidInput({"id_number": ["姓名与身份证号码不一致，请核对后重新填写。"]})
    return IdentityCheck.VERIFIED
