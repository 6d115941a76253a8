from kabinet.core.utility import get_utility


def utility(request):
    return {"utility": get_utility()}
