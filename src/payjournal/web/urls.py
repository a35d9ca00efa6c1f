"""Routes of the shell."""

from django.urls import path

from payjournal.web import views

urlpatterns = [path("", views.home, name="home")]
