"""The «версия для слабовидящих» settings: parsed from a cookie, applied as CSS classes.

The cookie holds ``key:value`` pairs joined by ``|``. The server renders the
classes on ``<html>`` so the low-vision version works without JavaScript; the
script in ``static/js/a11y.js`` only saves a round trip.
"""

from dataclasses import dataclass, replace

from django.utils.translation import gettext_lazy as _

COOKIE_NAME = "a11y"
COOKIE_MAX_AGE = 60 * 60 * 24 * 365

FONT_SIZES = (0, 1, 2, 3, 4)  # 100 %, 125 %, 150 %, 175 %, 200 %
SCHEMES = {
    "bw": _("black on white"),
    "wb": _("white on black"),
    "blue": _("dark blue on light blue"),
    "brown": _("brown on beige"),
    "green": _("green on dark brown"),
}
IMAGES = {"on": _("images on"), "off": _("images off"), "grey": _("greyscale images")}
SPACINGS = (0, 1, 2)
FONTS = {"sans": _("sans-serif font"), "serif": _("serif font")}


@dataclass(frozen=True)
class A11ySettings:
    enabled: bool = False
    font_size: int = 1
    scheme: str = "bw"
    images: str = "on"
    letter_spacing: int = 0
    line_height: int = 0
    font: str = "sans"
    media: bool = True

    @classmethod
    def from_cookie(cls, value: str | None) -> "A11ySettings":
        if not value:
            return cls()
        pairs = dict(part.split(":", 1) for part in value.split("|") if ":" in part)
        settings = cls(enabled=pairs.get("on") == "1")
        return settings.updated(pairs)

    def updated(self, values: dict[str, str]) -> "A11ySettings":
        """A copy with the valid values applied; invalid ones are ignored."""
        changes: dict = {}
        if values.get("fs", "").lstrip("-").isdigit() and int(values["fs"]) in FONT_SIZES:
            changes["font_size"] = int(values["fs"])
        if values.get("cs") in SCHEMES:
            changes["scheme"] = values["cs"]
        if values.get("img") in IMAGES:
            changes["images"] = values["img"]
        if values.get("ls", "").isdigit() and int(values["ls"]) in SPACINGS:
            changes["letter_spacing"] = int(values["ls"])
        if values.get("lh", "").isdigit() and int(values["lh"]) in SPACINGS:
            changes["line_height"] = int(values["lh"])
        if values.get("ff") in FONTS:
            changes["font"] = values["ff"]
        if values.get("media") in {"on", "off"}:
            changes["media"] = values["media"] == "on"
        return replace(self, **changes)

    def to_cookie(self) -> str:
        return "|".join(
            [
                f"on:{int(self.enabled)}",
                f"fs:{self.font_size}",
                f"cs:{self.scheme}",
                f"img:{self.images}",
                f"ls:{self.letter_spacing}",
                f"lh:{self.line_height}",
                f"ff:{self.font}",
                f"media:{'on' if self.media else 'off'}",
            ]
        )

    @property
    def html_classes(self) -> str:
        if not self.enabled:
            return ""
        classes = [
            "a11y",
            f"a11y-fs-{self.font_size}",
            f"a11y-cs-{self.scheme}",
            f"a11y-img-{self.images}",
            f"a11y-ls-{self.letter_spacing}",
            f"a11y-lh-{self.line_height}",
            f"a11y-ff-{self.font}",
        ]
        if not self.media:
            classes.append("a11y-media-off")
        return " ".join(classes)
