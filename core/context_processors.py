import functools

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from core import plugins
from core.accessibility import COOKIE_NAME, FONT_SIZES, IMAGES, SCHEMES, A11ySettings


def portal(request):
    @functools.cache
    def unread():
        from core.selectors import notifications_unread_count

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        return notifications_unread_count(user)

    return {
        "site_name": settings.WAGTAIL_SITE_NAME,
        "nav_items": SimpleLazyObject(lambda: _nav_with_current(request)),
        "a11y": A11ySettings.from_cookie(request.COOKIES.get(COOKIE_NAME)),
        "a11y_schemes": SCHEMES,
        "a11y_images": IMAGES,
        "a11y_font_sizes": FONT_SIZES,
        # Templates call the function; the cache keeps it to one query per request.
        "unread_notifications": unread,
    }


def _nav_with_current(request):
    """Navigation items paired with whether the current path lies in their section."""
    return [
        (item, bool(item.section) and item.section != "/" and request.path.startswith(item.section))
        for item in plugins.nav_items(request)
    ]
