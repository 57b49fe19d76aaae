"""A piece of long work (a whole-plan PDF, an import) and how far it has gone."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from traguardo.core.models import AuthorityScoped

# A queued job that no worker has picked up for this long is shown as interrupted (no worker is
# running, or they are all busy for that long): it no longer blocks asking again.
QUEUED_STALE_AFTER = timedelta(minutes=30)


def heartbeat_window() -> timedelta:
    """How long a running job may go without a heartbeat before it is interrupted: its worker
    stopped (killed, out of memory, the machine restarted). ``TRAGUARDO_JOB_HEARTBEAT_SECONDS``;
    a running job writes one at every progress step and, from a timer, four times a window."""
    return timedelta(seconds=settings.TRAGUARDO_JOB_HEARTBEAT_SECONDS)


def live_jobs() -> Q:
    """The jobs still going: queued and recently created, or running with a recent heartbeat
    (the SQL twin of ``not Job.is_stale`` for the unfinished ones)."""
    now = timezone.now()
    return Q(state=Job.State.QUEUED, updated_at__gte=now - QUEUED_STALE_AFTER) | Q(
        state=Job.State.RUNNING, heartbeat_at__gte=now - heartbeat_window()
    )


class Job(AuthorityScoped):
    class State(models.TextChoices):
        QUEUED = "queued", _("In coda")
        RUNNING = "running", _("In corso")
        DONE = "done", _("Completata")
        FAILED = "failed", _("Non riuscita")

    kind = models.CharField(_("tipo"), max_length=60)
    title = models.CharField(_("titolo"), max_length=200)
    params = models.JSONField(_("parametri"), default=dict, blank=True)
    state = models.CharField(_("stato"), max_length=10, choices=State.choices, default="queued")
    done = models.PositiveIntegerField(_("passi completati"), default=0)
    total = models.PositiveIntegerField(_("passi"), default=0)
    message = models.CharField(_("messaggio"), max_length=300, blank=True)
    error = models.TextField(_("errore"), blank=True)
    # What the job read (an uploaded file) and what it produced (a document).
    input = models.FileField(upload_to="jobs/input/%Y/%m/", blank=True)
    input_name = models.CharField(_("file caricato"), max_length=255, blank=True)
    output = models.FileField(upload_to="jobs/output/%Y/%m/", blank=True)
    output_name = models.CharField(_("nome del file"), max_length=255, blank=True)
    output_type = models.CharField(max_length=120, blank=True)
    # What the job found, for the page that follows it (an import's dry run, say).
    result = models.JSONField(_("esito"), default=dict, blank=True)
    next_url = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("avviata il"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Written by the running job (each progress step, and a timer): see heartbeat_window().
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The task framework's id of the task that runs this job (django-tasks' TaskResult.id).
    task_id = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(_("terminata il"), null=True, blank=True)

    class Meta:
        verbose_name = _("elaborazione")
        verbose_name_plural = _("elaborazioni")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("job_detail", kwargs={"authority": self.authority.slug, "pk": self.pk})

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def is_stale(self) -> bool:
        """Interrupted: running without a heartbeat for the window, or queued for too long.
        Such a job is shown as «interrotta», blocks no retry and counts against no limit."""
        now = timezone.now()
        if self.state == self.State.RUNNING:
            beat = self.heartbeat_at or self.started_at or self.updated_at
            return now - beat > heartbeat_window()
        if self.state == self.State.QUEUED:
            return now - self.updated_at > QUEUED_STALE_AFTER
        return False

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)
