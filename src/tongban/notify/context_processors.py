from functools import cache

from tongban.notify import actions


def inbox(request):
    """{{ inbox_unread_count }} for the header. Counted only if a template uses it (templates call
    callables), and at most once per page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread_count": cache(lambda: actions.unread_count(user))}
