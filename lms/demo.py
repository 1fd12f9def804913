from wagtail.models import Site

from lms.models import CourseIndexPage, EventIndexPage

SECTIONS = [
    (CourseIndexPage, "courses", "Курсы повышения квалификации"),
    (EventIndexPage, "events", "Мероприятия и вебинары"),
]


def seed(log) -> None:
    home = Site.objects.get(is_default_site=True).root_page
    for page_type, slug, title in SECTIONS:
        if home.get_children().filter(slug=slug).exists():
            continue
        page = page_type(title=title, slug=slug)
        home.add_child(instance=page)
        page.save_revision().publish()
    log("  pages: courses and events sections")
