from django.conf import settings


def platform(request):
    return {
        "platform_name": settings.PLATFORM_NAME,
        "platform_region_name": settings.PLATFORM_REGION_NAME,
        "elderly_mode": getattr(request, "elderly_mode", False),
    }
