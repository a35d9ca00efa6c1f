"""``/api/``: the ninja API (``/api/v1/…``, docs at ``/api/docs``)."""

from django.urls import path

from payjournal.api.views import api

urlpatterns = [path("", api.urls)]
