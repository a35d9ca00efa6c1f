"""Routes of the catalog app: the language choice."""

from django.urls import path

from payjournal.catalog import views

urlpatterns = [path("language/", views.language, name="language")]
