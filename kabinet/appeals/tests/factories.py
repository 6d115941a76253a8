from kabinet.appeals import services
from kabinet.core.utility_profiles import APPEAL_TOPIC_OTHER


def appeal(user, *, text="Вопрос по начислениям", topic=APPEAL_TOPIC_OTHER, **kwargs):
    kwargs.setdefault("about", "" if kwargs.get("account") else "Личный кабинет")
    return services.appeal_open(user=user, topic=topic, text=text, **kwargs)
