"""Posting the admin's own forms in tests: the fields a browser would send from a rendered page."""

from html.parser import HTMLParser


class _FormFields(HTMLParser):
    def __init__(self, form_id: str | None):
        super().__init__()
        self.form_id = form_id
        self.inside = form_id is None
        self.depth = 0
        self.data: dict[str, list[str]] = {}
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.form_id is not None and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.setdefault(name, []).append(attrs.get("value", "on"))
            elif kind not in ("submit", "button", "file", "image"):
                self.data.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "select" and name:
            self.select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self.select and "selected" in attrs:
            self.data[self.select].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form" and self.form_id is not None:
            self.inside = False


def form_data(html: str, form_id: str | None = None) -> dict[str, list[str]]:
    """The fields (name → values) of the page's form with ``form_id`` (or of every form)."""
    parser = _FormFields(form_id)
    parser.feed(html)
    return parser.data


def checkbox_values(html: str, name: str) -> dict[str, str]:
    """{label text: value} of the checkboxes called ``name`` (Django's CheckboxSelectMultiple)."""
    import re

    found = {}
    pattern = re.compile(
        r'<label[^>]*>\s*<input type="checkbox" name="' + re.escape(name) + r'" value="(\d+)"'
        r"[^>]*>\s*([^<]+?)\s*</label>"
    )
    for value, label in pattern.findall(html):
        found[label] = value
    return found
