from django.apps import AppConfig


class SubscribersConfig(AppConfig):
    name = "subscribers"
    verbose_name = "Subscribers"

    def ready(self):
        # Bounce and complaint webhooks arrive through anymail's tracking signal; the
        # deployment checks register themselves.
        from . import checks, webhooks  # noqa: F401
