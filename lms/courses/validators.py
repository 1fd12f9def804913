"""Checks of the ДПО personal data (DOMAIN.md): СНИЛС with its checksum."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SNILS_RE = re.compile(r"^\d{3}-\d{3}-\d{3} \d{2}$")


def snils_checksum(digits: str) -> int:
    """The control number of the first nine digits of a СНИЛС (Pension Fund rules)."""
    total = sum(int(digit) * weight for digit, weight in zip(digits, range(9, 0, -1), strict=True))
    if total < 100:
        return total
    if total in (100, 101):
        return 0
    remainder = total % 101
    return 0 if remainder in (100, 101) else remainder


def normalise_snils(value: str) -> str:
    """``12345678901`` or ``123 456 789 01`` → ``123-456-789 01`` (the ФРДО text format)."""
    digits = re.sub(r"\D", "", value or "")
    if len(digits) != 11:
        return value
    return f"{digits[0:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:11]}"


def validate_snils(value: str) -> None:
    formatted = normalise_snils(value)
    if not SNILS_RE.match(formatted):
        raise ValidationError(
            _("Enter the SNILS as 11 digits, for example 112-233-445 95."), code="format"
        )
    digits = re.sub(r"\D", "", formatted)
    # Numbers up to 001-001-998 are issued without a meaningful checksum.
    if int(digits[:9]) > 1001998 and snils_checksum(digits[:9]) != int(digits[9:]):
        raise ValidationError(
            _("This SNILS has a wrong check number; please check the digits."), code="checksum"
        )
