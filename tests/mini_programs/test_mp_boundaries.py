"""The design's boundary: mini_programs uses the WeChat client (and through it the shared token
store) of channels/wechat/, and nothing else of channels."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "mini_programs"
ALLOWED = {"channels.wechat.client", "channels.wechat.session"}


def test_mini_programs_imports_only_the_wechat_client_of_channels():
    used = set()
    for source in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            used |= {n for n in names if n == "channels" or n.startswith("channels.")}
    assert used and used <= ALLOWED, used
