"""The live seminar room of an online event: chat, questions, polls, moderation, attendance.

All of it is records (they outlive page edits and are evidence for
certificates), so the event page is referenced with PROTECT.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lms.models.events import EventPage


class SeminarRoom(models.Model):
    """Per-event state of the room; its row is also the lock that orders ``seq``."""

    event = models.OneToOneField(
        EventPage, on_delete=models.PROTECT, primary_key=True, related_name="seminar_room"
    )
    last_seq = models.PositiveBigIntegerField(_("last message number"), default=0)
    chat_open = models.BooleanField(_("chat open"), default=True)

    class Meta:
        verbose_name = _("seminar room")
        verbose_name_plural = _("seminar rooms")
        ordering = ["event"]
        permissions = [("moderate_seminar", _("Can moderate live seminars"))]

    def __str__(self):
        return str(self.event_id)


class SeminarMessage(models.Model):
    event = models.ForeignKey(EventPage, on_delete=models.PROTECT, related_name="seminar_messages")
    seq = models.PositiveBigIntegerField(_("number"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="seminar_messages"
    )
    text = models.TextField(_("text"))
    client_id = models.CharField(_("client id"), max_length=64)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        ordering = ["event", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["event", "seq"], name="lms_message_seq_unique"),
            models.UniqueConstraint(
                fields=["event", "author", "client_id"], name="lms_message_client_id_unique"
            ),
        ]

    def __str__(self):
        return f"{self.event_id}#{self.seq}"


class SeminarQuestion(models.Model):
    event = models.ForeignKey(EventPage, on_delete=models.PROTECT, related_name="seminar_questions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="seminar_questions"
    )
    text = models.TextField(_("question"))
    client_id = models.CharField(_("client id"), max_length=64)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("seminar question")
        verbose_name_plural = _("seminar questions")
        ordering = ["event", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "author", "client_id"], name="lms_question_client_id_unique"
            )
        ]

    def __str__(self):
        return self.text[:50]


class SeminarQuestionVote(models.Model):
    question = models.ForeignKey(SeminarQuestion, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("question vote")
        verbose_name_plural = _("question votes")
        ordering = ["question"]
        constraints = [
            models.UniqueConstraint(fields=["question", "user"], name="lms_question_vote_once")
        ]

    def __str__(self):
        return f"{self.question_id}: {self.user_id}"


class SeminarPoll(models.Model):
    event = models.ForeignKey(EventPage, on_delete=models.PROTECT, related_name="seminar_polls")
    question = models.CharField(_("question"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    is_open = models.BooleanField(_("open"), default=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        ordering = ["event", "created_at"]

    def __str__(self):
        return self.question


class SeminarPollOption(models.Model):
    poll = models.ForeignKey(SeminarPoll, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("option"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("poll option")
        verbose_name_plural = _("poll options")
        ordering = ["poll", "position"]

    def __str__(self):
        return self.text


class SeminarPollVote(models.Model):
    poll = models.ForeignKey(SeminarPoll, on_delete=models.CASCADE, related_name="votes")
    option = models.ForeignKey(SeminarPollOption, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("poll vote")
        verbose_name_plural = _("poll votes")
        ordering = ["poll"]
        constraints = [models.UniqueConstraint(fields=["poll", "user"], name="lms_poll_vote_once")]

    def __str__(self):
        return f"{self.poll_id}: {self.user_id}"


class SeminarSanction(models.Model):
    """A mute (until a time) or a ban (for this seminar) of one participant."""

    class Kind(models.TextChoices):
        MUTE = "mute", _("muted")
        BAN = "ban", _("banned")

    event = models.ForeignKey(EventPage, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    until = models.DateTimeField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("seminar sanction")
        verbose_name_plural = _("seminar sanctions")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["event", "user", "kind"])]

    def __str__(self):
        return f"{self.kind} {self.user_id}"


class SeminarModerationAction(models.Model):
    """Who did what in the room: shown in the moderator panel and kept with the event."""

    event = models.ForeignKey(EventPage, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=32)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")
        ordering = ["-created_at"]

    def __str__(self):
        return self.action


class SeminarConnection(models.Model):
    """One WebSocket connection of a person to the room: the raw material of attendance."""

    event = models.ForeignKey(EventPage, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    connected_at = models.DateTimeField(_("connected at"))
    disconnected_at = models.DateTimeField(_("disconnected at"), null=True, blank=True)

    class Meta:
        verbose_name = _("seminar connection")
        verbose_name_plural = _("seminar connections")
        ordering = ["event", "user", "connected_at"]
        indexes = [models.Index(fields=["event", "user"])]

    def __str__(self):
        return f"{self.user_id}@{self.event_id}"
