def tenant(request):
    """The authority and membership a tenant view resolved, for the base template."""
    return {
        "authority": getattr(request, "authority", None),
        "membership": getattr(request, "membership", None),
    }
