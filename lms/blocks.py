"""StreamField blocks of event pages."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

from cms.blocks import DocumentLinkBlock


class SpeakerBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("Full name"), max_length=200)
    position = blocks.CharBlock(label=_("Position and organisation"), required=False)
    photo = ImageChooserBlock(label=_("Photo"), required=False)

    class Meta:
        icon = "user"
        label = _("Speaker")
        template = "lms/blocks/speaker.html"
        preview_value = {"name": "Иванова Мария Петровна", "position": "методист ИБЦ"}


class ProgrammeItemBlock(blocks.StructBlock):
    time = blocks.CharBlock(label=_("Time"), max_length=40, help_text=_("For example, 10:00–10:30"))
    title = blocks.CharBlock(label=_("Topic"), max_length=300)
    speaker = blocks.CharBlock(label=_("Speaker"), max_length=200, required=False)

    class Meta:
        icon = "time"
        label = _("Programme item")
        template = "lms/blocks/programme_item.html"
        preview_value = {"time": "10:00–10:30", "title": "Открытие семинара"}


class ProgrammeBlock(blocks.StreamBlock):
    item = ProgrammeItemBlock()
    text = blocks.RichTextBlock(
        label=_("Text"),
        icon="pilcrow",
        features=["bold", "italic", "link", "ol", "ul"],
        template="cms/blocks/paragraph.html",
    )


class LinkBlock(blocks.StructBlock):
    url = blocks.URLBlock(label=_("Address"))
    title = blocks.CharBlock(label=_("Link text"), max_length=200)

    class Meta:
        icon = "link"
        label = _("Link")
        template = "lms/blocks/link.html"
        preview_value = {"url": "https://example.org/", "title": "Презентация"}


class MaterialsBlock(blocks.StreamBlock):
    document = DocumentLinkBlock()
    link = LinkBlock()
