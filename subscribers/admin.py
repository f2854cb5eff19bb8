from . import admin_delivery  # noqa: F401,E402 - the email edition's admin (issue #5)
