"""The bridge's fixtures (a valid petition, an SMS check that accepts one code) for the counts."""

from tests.backend_bridge.conftest import id_number, petition, sms_ok, submit  # noqa: F401
from tests.channels.conftest import wechat_account, wechat_simulator  # noqa: E402,F401
