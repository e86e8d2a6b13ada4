"""Template context shared by every page: the workspace switcher and unread notifications."""

from claims import broker_status
from claims.models import Membership
from claims.permissions import visible_notifications


def workspaces(request):
    """Lazy values, so pages that never show them pay no query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def memberships():
        return list(
            Membership.objects.filter(user=user)
            .select_related("workspace")
            .order_by("workspace__name")
        )

    def unread_notifications():
        return visible_notifications(user).filter(read_at__isnull=True).count()

    return {
        "my_memberships": memberships,
        "unread_notifications": unread_notifications,
        "queue_down": lambda: not broker_status.queue_available(),
    }
