"""Template context shared by every page: the workspaces for the switcher."""

from claims.models import Membership


def workspaces(request):
    """The user's memberships, fetched lazily so pages that never show the switcher pay nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def memberships():
        return list(
            Membership.objects.filter(user=user)
            .select_related("workspace")
            .order_by("workspace__name")
        )

    return {"my_memberships": memberships}
