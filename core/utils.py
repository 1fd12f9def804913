import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address; behind a proxy, the right-most address the proxy appended."""
    proxy_count = settings.AXES_IPWARE_PROXY_COUNT or 0
    candidate = request.META.get("REMOTE_ADDR", "")
    if proxy_count:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxy_count:
            candidate = forwarded[-proxy_count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def safe_next_url(request, candidate: str | None, default: str = "/") -> str:
    """``candidate`` if it stays on this site, else ``default`` (no open redirects)."""
    from django.utils.http import url_has_allowed_host_and_scheme

    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def axes_username(request, credentials) -> str | None:
    """The login name django-axes counts failures by: the email, case-folded."""
    value = (credentials or {}).get("username") or request.POST.get("username")
    return value.strip().lower() if value else None
